package io.ashbysync.application;

import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.ListPosition;
import io.ashbysync.ashby.model.Note;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * The receipt in Ashby: a note on the candidate saying what was done, when, by whom, from Findem. Each note ends with a
 * reference ({@code [Findem ref <id>]}) so an attempt whose outcome is unknown (a crash, a timeout) finds the note it
 * may already have written instead of writing a second one.
 */
@ApplicationScoped
public class Receipts {
    private static final int MAX_ATTEMPTS = 3;

    public static String reference(String ref) {
        return "[Findem ref " + ref + "]";
    }

    public static String text(String what, ActionOwners.Owner owner, String actedAs, Instant at, String ref) {
        String by = ActionOwners.AS_API_KEY.equals(actedAs)
                ? owner.display() + " (recorded as the API key: Ashby did not let it act as this user)" : owner.display();
        return what + " from Findem by " + by + " at " + at.truncatedTo(ChronoUnit.SECONDS) + ". " + reference(ref);
    }

    /**
     * Writes the note unless {@code mayExist} and a note with the reference is already there; returns the note id.
     * Writes as the key: a note is a receipt of the change, whose actor Ashby already recorded.
     */
    public String write(AshbySession ashby, String candidateId, String content, String ref, boolean mayExist) {
        for (int attempt = 1; ; attempt++) {
            if (mayExist) {
                Optional<String> existing = find(ashby, candidateId, ref);
                if (existing.isPresent()) return existing.get();
            }
            try {
                return ashby.call(AshbyEndpoint.CANDIDATE_CREATE_NOTE,
                        Map.of("candidateId", candidateId, "note", content, "sendNotifications", false), Note.class).id();
            } catch (AshbyException.WriteOutcomeUnknown unknown) {
                if (attempt == MAX_ATTEMPTS) throw unknown;
                mayExist = true;
            }
        }
    }

    private static Optional<String> find(AshbySession ashby, String candidateId, String ref) {
        String marker = reference(ref);
        return ashby.pages(AshbyEndpoint.CANDIDATE_LIST_NOTES, Map.of("candidateId", candidateId), Note.class, ListPosition.FULL)
                .flatMap(p -> p.results().stream())
                .filter(n -> n.content() != null && n.content().contains(marker))
                .map(Note::id).findFirst();
    }
}
