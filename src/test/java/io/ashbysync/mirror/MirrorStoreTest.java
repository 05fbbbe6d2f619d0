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

/** A listed page written in one batch ({@link MirrorStore#upsertPage}) against DynamoDB (moto). */
@QuarkusTest
class MirrorStoreTest {
    private static final String TYPE = CandidateDocuments.APPLICATION;
    private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-02-01T00:00:00Z");

    @Inject
    MirrorStore mirror;
    @Inject
    ObjectMapper mapper;

    /** The same rows and writes, record by record, through {@link MirrorStore#upsert}, and as one page. */
    @Test
    void upsertPage_doesWhatUpsertDoesToEveryRecord() {
        String oneByOne = tenant();
        String asPage = tenant();
        for (String tenant : List.of(oneByOne, asPage)) {
            mirror.upsert(tenant, TYPE, "newer-kept", T2, data("newer"), "pass-0", Map.of());
            mirror.upsert(tenant, TYPE, "older-replaced", T1, data("older"), "pass-0", Map.of());
            mirror.upsert(tenant, TYPE, "same-version-edited", T1, data("before"), "pass-0", Map.of());
            mirror.upsert(tenant, TYPE, "unchanged", T1, data("same"), "pass-0", Map.of());
            mirror.upsert(tenant, TYPE, "deleted", T1, data("before delete"), "pass-0", Map.of());
            mirror.tombstone(tenant, TYPE, "deleted", T2);
            mirror.upsert(tenant, TYPE, "deleted-then-newer", T1, data("before delete"), "pass-0", Map.of());
            mirror.tombstone(tenant, TYPE, "deleted-then-newer", T2);
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
        page.forEach(r -> expected.add(mirror.upsert(oneByOne, TYPE, r.entityId(), r.updatedAt(), r.data(), "pass-1", r.extra())));
        List<MirrorStore.Write> actual = mirror.upsertPage(asPage, TYPE, page, "pass-1");

        assertThat(actual).containsExactlyElementsOf(expected).containsExactly(
                MirrorStore.Write.CREATED, MirrorStore.Write.UNCHANGED, MirrorStore.Write.UPDATED, MirrorStore.Write.UPDATED,
                MirrorStore.Write.UNCHANGED, MirrorStore.Write.UNCHANGED, MirrorStore.Write.CREATED);
        for (MirrorStore.Listed record : page) {
            assertThat(row(asPage, record.entityId())).as(record.entityId()).isEqualTo(row(oneByOne, record.entityId()));
        }
        assertThat(row(asPage, "newer-kept").data().path("note").asText()).isEqualTo("newer");
        assertThat(row(asPage, "deleted").deleted()).as("a listing older than the delete does not bring it back").isTrue();
        assertThat(page).allSatisfy(r -> assertThat(row(asPage, r.entityId()).seenPass()).as("every listed record is stamped").isEqualTo("pass-1"));
    }

    @Test
    void upsertPage_aRecordWrittenBetweenTheReadAndTheWrite_isDecidedAgainAndTheNewerWriteStays() {
        String tenant = tenant();
        mirror.upsert(tenant, TYPE, "raced", T1, data("listed"), "pass-0", Map.of());
        List<MirrorStore.Listed> page = List.of(listed("fresh", T1, "fresh"), listed("raced", T2, "listing"));
        MirrorStore.PagePlan plan = mirror.planPage(tenant, TYPE, page, "pass-1");

        // a webhook brings a newer version after the page's rows were read
        mirror.upsert(tenant, TYPE, "raced", T2.plusSeconds(60), data("webhook"), null, Map.of());
        List<MirrorStore.Write> writes = mirror.applyPage(plan);

        assertThat(writes).containsExactly(MirrorStore.Write.CREATED, MirrorStore.Write.UNCHANGED);
        assertThat(row(tenant, "raced").data().path("note").asText()).isEqualTo("webhook");
        assertThat(row(tenant, "raced").seenPass()).as("still seen by the pass").isEqualTo("pass-1");
        assertThat(row(tenant, "fresh").data().path("note").asText()).isEqualTo("fresh");
    }

    @Test
    void upsertPage_incremental_keepsTheStampOfAFullPassRunningMeanwhile() {
        String tenant = tenant();
        mirror.upsertPage(tenant, TYPE, List.of(listed("a", T1, "first")), "full-pass");

        List<MirrorStore.Write> writes = mirror.upsertPage(tenant, TYPE, List.of(listed("a", T2, "second")), null);

        assertThat(writes).containsExactly(MirrorStore.Write.UPDATED);
        assertThat(row(tenant, "a").data().path("note").asText()).isEqualTo("second");
        assertThat(row(tenant, "a").seenPass()).isEqualTo("full-pass");
    }

    @Test
    void upsertPage_aPageListingOneRecordTwice_endsWithTheNewerVersion() {
        String tenant = tenant();

        List<MirrorStore.Write> writes = mirror.upsertPage(tenant, TYPE,
                List.of(listed("twice", T2, "newer"), listed("twice", T1, "older")), "pass-1");

        assertThat(writes).containsExactly(MirrorStore.Write.CREATED, MirrorStore.Write.UNCHANGED);
        assertThat(row(tenant, "twice").data().path("note").asText()).isEqualTo("newer");
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
