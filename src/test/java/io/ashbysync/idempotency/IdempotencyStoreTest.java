package io.ashbysync.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The idempotency record's states against DynamoDB (moto), with the clock passed in. */
@QuarkusTest
class IdempotencyStoreTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration RETENTION = Duration.ofDays(7);

    @Inject
    IdempotencyStore store;
    @Inject
    ObjectMapper mapper;

    private final String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
    private final String id = "cmd-" + UUID.randomUUID();
    private final Instant now = Instant.parse("2026-11-28T10:00:00Z");

    @Test
    void firstDelivery_startsWithEmptyProgress() {
        assertThat(store.begin(tenant, id, "h1", now, LEASE, RETENTION))
                .isInstanceOfSatisfying(IdempotencyStore.Started.class, s -> assertThat(s.progress().isEmpty()).isTrue());
    }

    @Test
    void secondDelivery_whileTheFirstHoldsItsLease_isInProgressElsewhere() {
        store.begin(tenant, id, "h1", now, LEASE, RETENTION);

        assertThat(store.begin(tenant, id, "h1", now.plusSeconds(5), LEASE, RETENTION))
                .isInstanceOfSatisfying(IdempotencyStore.InProgressElsewhere.class, b -> assertThat(b.leaseUntil()).isEqualTo(now.plus(LEASE)));
    }

    @Test
    void redelivery_afterTheLeaseRanOut_takesOverWithTheSavedProgress() {
        store.begin(tenant, id, "h1", now, LEASE, RETENTION);
        ObjectNode progress = mapper.createObjectNode().put("candidateId", "c-1");
        store.saveProgress(tenant, id, progress);

        assertThat(store.begin(tenant, id, "h1", now.plus(LEASE).plusSeconds(1), LEASE, RETENTION))
                .isInstanceOfSatisfying(IdempotencyStore.Started.class, s -> assertThat(s.progress()).isEqualTo(progress));
    }

    @Test
    void redelivery_afterARelease_takesOverAtOnce() {
        store.begin(tenant, id, "h1", now, LEASE, RETENTION);
        store.release(tenant, id);

        assertThat(store.begin(tenant, id, "h1", now.plusSeconds(1), LEASE, RETENTION)).isInstanceOf(IdempotencyStore.Started.class);
    }

    @Test
    void redelivery_afterCompletion_returnsTheStoredResultAndWhetherItWasDelivered() {
        store.begin(tenant, id, "h1", now, LEASE, RETENTION);
        ObjectNode result = mapper.createObjectNode().put("status", "succeeded");
        store.complete(tenant, id, result);

        assertThat(store.begin(tenant, id, "h1", now.plusSeconds(1), LEASE, RETENTION))
                .isEqualTo(new IdempotencyStore.AlreadyCompleted(result, false));
        store.markResultDelivered(tenant, id);
        assertThat(store.begin(tenant, id, "h1", now.plus(Duration.ofHours(1)), LEASE, RETENTION))
                .isEqualTo(new IdempotencyStore.AlreadyCompleted(result, true));
    }

    @Test
    void provisionalCompletion_neverOverwritesAFinalResultStoredFirst() {
        store.begin(tenant, id, "h1", now, LEASE, RETENTION);
        ObjectNode fin = mapper.createObjectNode().put("status", "partially_failed");
        store.complete(tenant, id, fin);

        store.completeIfInProgress(tenant, id, mapper.createObjectNode().put("status", "succeeded"));

        assertThat(store.begin(tenant, id, "h1", now.plusSeconds(1), LEASE, RETENTION))
                .isEqualTo(new IdempotencyStore.AlreadyCompleted(fin, false));
    }

    @Test
    void sameIdWithAnotherPayload_isAMismatch() {
        store.begin(tenant, id, "h1", now, LEASE, RETENTION);

        assertThat(store.begin(tenant, id, "h2", now.plus(LEASE).plusSeconds(1), LEASE, RETENTION))
                .isInstanceOf(IdempotencyStore.PayloadMismatch.class);
    }

    @Test
    void sameIdInAnotherTenant_isAnotherCommand() {
        store.begin(tenant, id, "h1", now, LEASE, RETENTION);

        assertThat(store.begin(tenant + "-other", id, "h1", now, LEASE, RETENTION)).isInstanceOf(IdempotencyStore.Started.class);
    }
}
