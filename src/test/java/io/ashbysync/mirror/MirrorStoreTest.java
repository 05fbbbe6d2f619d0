package io.ashbysync.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Pages written in one batch ({@link MirrorStore#upsertPage}), their revisions and tombstones, against DynamoDB (moto). */
@QuarkusTest
class MirrorStoreTest {
    private static final String TYPE = CandidateDocuments.APPLICATION;
    private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-02-01T00:00:00Z");
    /** A read from Ashby made before any of a test's tombstones. */
    private static final Instant BEFORE = Instant.parse("2025-01-01T00:00:00Z");

    @Inject
    MirrorStore mirror;
    @Inject
    ObjectMapper mapper;

    /** The same rows and writes, record by record (one-record pages), and as one page. */
    @Test
    void upsertPage_doesToEveryRecordWhatAOneRecordPageDoes() {
        String oneByOne = tenant();
        String asPage = tenant();
        for (String tenant : List.of(oneByOne, asPage)) {
            write(tenant, "pass-0", BEFORE, listed("newer-kept", T2, "newer"));
            write(tenant, "pass-0", BEFORE, listed("older-replaced", T1, "older"));
            write(tenant, "pass-0", BEFORE, listed("same-version-edited", T1, "before"));
            write(tenant, "pass-0", BEFORE, listed("unchanged", T1, "same"));
            write(tenant, "pass-0", BEFORE, listed("deleted", T1, "before delete"));
            mirror.tombstone(tenant, TYPE, "deleted", T2, false);
            write(tenant, "pass-0", BEFORE, listed("deleted-then-newer", T1, "before delete"));
            mirror.tombstone(tenant, TYPE, "deleted-then-newer", T2, false);
        }
        List<MirrorStore.Listed> page = List.of(
                listed("new", T1, "new"),
                listed("newer-kept", T1, "stale listing"),
                listed("older-replaced", T2, "newer listing"),
                listed("same-version-edited", T1, "after"),
                listed("unchanged", T1, "same"),
                listed("deleted", T1, "listed before the delete"),
                listed("deleted-then-newer", T2, "restored"));

        List<MirrorStore.Write> expected = new ArrayList<>();
        page.forEach(r -> expected.add(write(oneByOne, "pass-1", BEFORE, r).getFirst().write()));
        List<MirrorStore.Write> actual = write(asPage, "pass-1", BEFORE, page.toArray(MirrorStore.Listed[]::new)).stream()
                .map(MirrorStore.Written::write).toList();

        assertThat(actual).containsExactlyElementsOf(expected).containsExactly(
                MirrorStore.Write.CREATED, MirrorStore.Write.UNCHANGED, MirrorStore.Write.UPDATED, MirrorStore.Write.UPDATED,
                MirrorStore.Write.UNCHANGED, MirrorStore.Write.UNCHANGED, MirrorStore.Write.CREATED);
        for (MirrorStore.Listed record : page) {
            MirrorRow expectedRow = row(oneByOne, record.entityId());
            assertThat(row(asPage, record.entityId())).as(record.entityId()).usingRecursiveComparison().ignoringFields("revision")
                    .isEqualTo(expectedRow);
        }
        assertThat(row(asPage, "newer-kept").data().path("note").asText()).isEqualTo("newer");
        assertThat(row(asPage, "deleted").deleted()).as("a listing read before the delete does not bring it back").isTrue();
        assertThat(page).allSatisfy(r -> assertThat(row(asPage, r.entityId()).seenPass()).as("every listed record is stamped").isEqualTo("pass-1"));
    }

    @Test
    void aTombstone_isLiftedByTheSameVersionReadAfterIt_asAshbyStillHasTheRecord_andNotByOneReadBefore() {
        String tenant = tenant();
        write(tenant, null, BEFORE, listed("c", T1, "live"));
        Instant listingStarted = Instant.now();
        long tombstoneRevision = mirror.tombstone(tenant, TYPE, "c", T2.plusSeconds(86_400), false).orElseThrow();

        assertThat(write(tenant, null, listingStarted.minusMillis(1), listed("c", T1, "live")).getFirst().write())
                .as("a listing read before the delete").isEqualTo(MirrorStore.Write.UNCHANGED);
        assertThat(row(tenant, "c").deleted()).isTrue();

        MirrorStore.Written lifted = write(tenant, null, Instant.now().plusMillis(1), listed("c", T1, "live")).getFirst();

        assertThat(lifted.write()).isEqualTo(MirrorStore.Write.CREATED);
        assertThat(lifted.revision()).as("above the tombstone's, so Findem applies it over the delete").isGreaterThan(tombstoneRevision);
        assertThat(row(tenant, "c").deleted()).isFalse();
    }

    @Test
    void everyChange_tombstonesIncluded_raisesTheRevision_andLeavesTheRowUnsentUntilCleared() {
        String tenant = tenant();
        MirrorStore.Written created = write(tenant, null, BEFORE, listed("a", T1, "first")).getFirst();
        MirrorStore.Written again = write(tenant, null, BEFORE, listed("a", T1, "first")).getFirst();
        MirrorStore.Written updated = write(tenant, null, BEFORE, listed("a", T2, "second")).getFirst();
        long tombstone = mirror.tombstone(tenant, TYPE, "a", T2.plusSeconds(86_400), true).orElseThrow();

        assertThat(created.unsent()).isTrue();
        assertThat(again.write()).isEqualTo(MirrorStore.Write.UNCHANGED);
        assertThat(again.revision()).isEqualTo(created.revision());
        assertThat(again.unsent()).as("an earlier write's change not yet told stays to be told").isTrue();
        assertThat(updated.revision()).isGreaterThan(created.revision());
        assertThat(tombstone).isGreaterThan(updated.revision());
        assertThat(row(tenant, "a").revision()).isEqualTo(tombstone);
        assertThat(mirror.tombstone(tenant, TYPE, "a", T2, true)).as("already removed").isEmpty();
    }

    @Test
    void upsertPage_aRecordWrittenBetweenTheReadAndTheWrite_isDecidedAgainAndTheNewerWriteStays() {
        String tenant = tenant();
        write(tenant, "pass-0", BEFORE, listed("raced", T1, "listed"));
        MirrorStore.Page page = new MirrorStore.Page(TYPE, null, "pass-1", BEFORE, List.of(listed("fresh", T1, "fresh"), listed("raced", T2, "listing")));
        MirrorStore.PagePlan plan = mirror.planPage(tenant, page);

        // a webhook brings a newer version after the page's rows were read
        mirror.upsert(tenant, TYPE, null, "raced", T2.plusSeconds(60), data("webhook"), Map.of(), BEFORE);
        List<Integer> conflicted = mirror.applyPage(plan);
        List<MirrorStore.Written> decidedAgain = mirror.upsertPage(tenant, page);

        assertThat(conflicted).as("the page's one transaction was cancelled").containsExactly(0, 1);
        assertThat(decidedAgain).extracting(MirrorStore.Written::write).containsExactly(MirrorStore.Write.CREATED, MirrorStore.Write.UNCHANGED);
        assertThat(row(tenant, "raced").data().path("note").asText()).isEqualTo("webhook");
        assertThat(row(tenant, "raced").seenPass()).as("still seen by the pass").isEqualTo("pass-1");
        assertThat(row(tenant, "fresh").data().path("note").asText()).isEqualTo("fresh");
    }

    @Test
    void upsertPage_incremental_keepsTheStampOfAFullPassRunningMeanwhile() {
        String tenant = tenant();
        write(tenant, "full-pass", BEFORE, listed("a", T1, "first"));

        List<MirrorStore.Written> writes = write(tenant, null, BEFORE, listed("a", T2, "second"));

        assertThat(writes).extracting(MirrorStore.Written::write).containsExactly(MirrorStore.Write.UPDATED);
        assertThat(row(tenant, "a").data().path("note").asText()).isEqualTo("second");
        assertThat(row(tenant, "a").seenPass()).isEqualTo("full-pass");
    }

    @Test
    void upsertPage_aPageListingOneRecordTwice_endsWithTheNewerVersion() {
        String tenant = tenant();

        List<MirrorStore.Written> writes = write(tenant, "pass-1", BEFORE, listed("twice", T2, "newer"), listed("twice", T1, "older"));

        assertThat(writes).extracting(MirrorStore.Written::write).containsExactly(MirrorStore.Write.CREATED, MirrorStore.Write.UNCHANGED);
        assertThat(row(tenant, "twice").data().path("note").asText()).isEqualTo("newer");
    }

    private List<MirrorStore.Written> write(String tenant, String seenPass, Instant readAt, MirrorStore.Listed... records) {
        return mirror.upsertPage(tenant, new MirrorStore.Page(TYPE, null, seenPass, readAt, List.of(records)));
    }

    private MirrorStore.Listed listed(String id, Instant updatedAt, String note) {
        return new MirrorStore.Listed(id, updatedAt, data(note), Map.of());
    }

    private JsonNode data(String note) {
        return mapper.createObjectNode().put("note", note);
    }

    /** The row without its tenant-specific keys. */
    private MirrorRow row(String tenant, String id) {
        return mirror.get(tenant, TYPE, id, MirrorStore.ITEM).orElseThrow();
    }

    private static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
