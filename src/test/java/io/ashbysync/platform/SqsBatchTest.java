package io.ashbysync.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.ashbysync.ashby.simulator.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which messages of a batch run and which go back: per FIFO group, and within the invocation's time. */
class SqsBatchTest {
    private static final Instant START = Instant.parse("2026-12-04T10:00:00Z");
    private static final SqsBatch.Limits PLENTY = new SqsBatch.Limits(START.plus(Duration.ofMinutes(2)), Duration.ofSeconds(10));

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<String> notStarted = new CopyOnWriteArrayList<>();

    @AfterEach
    void realClock() {
        Deadline.clock = Clock.systemUTC();
    }

    private static SQSEvent.SQSMessage message(String id, String group, boolean fifo) {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(id);
        message.setBody(id);
        message.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:" + (fifo ? "commands.fifo" : "work"));
        message.setAttributes(group == null ? Map.of("ApproximateReceiveCount", "1")
                : Map.of("ApproximateReceiveCount", "1", "MessageGroupId", group));
        return message;
    }

    private static SQSEvent event(SQSEvent.SQSMessage... messages) {
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(messages));
        return event;
    }

    /** Fails the messages whose body is listed; records the others as run. */
    private SqsBatch.MessageProcessor failing(List<String> failures, Runnable duringEach) {
        return new SqsBatch.MessageProcessor() {
            @Override
            public void process(SQSEvent.SQSMessage message) {
                duringEach.run();
                if (failures.contains(message.getBody())) throw new IllegalStateException("Ashby unavailable");
                ran.add(message.getBody());
            }

            @Override
            public void notStarted(SQSEvent.SQSMessage message, String why) {
                notStarted.add(message.getBody());
            }
        };
    }

    private static List<String> failed(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    @Test
    void groupFairness_aFailedFifoMessageReturnsOnlyTheLaterMessagesOfItsOwnGroup() {
        Deadline.clock = Clock.fixed(START, ZoneOffset.UTC);
        SQSEvent batch = event(message("a1", "tenant-a:p1", true), message("b1", "tenant-b:p9", true),
                message("a2", "tenant-a:p1", true), message("b2", "tenant-b:p9", true), message("c1", "tenant-c:p3", true));

        SQSBatchResponse response = SqsBatch.process(batch, PLENTY, failing(List.of("a1"), () -> {}), m -> m.getMessageId());

        assertThat(failed(response)).as("a1 failed; a2 waits behind it").containsExactly("a1", "a2");
        assertThat(ran).as("other tenants' commands run in the same batch").containsExactly("b1", "b2", "c1");
        assertThat(notStarted).containsExactly("a2");
    }

    @Test
    void noMessageStartsWithTooLittleTimeBeforeTheDeadline_andTheRestGoBackUnstarted() {
        MutableClock clock = new MutableClock(START);
        Deadline.clock = clock;
        SqsBatch.Limits limits = new SqsBatch.Limits(START.plus(Duration.ofSeconds(60)), Duration.ofSeconds(10));
        // each message takes 26 s of the invocation: after two, 8 s are left, which is not enough to start a third
        SQSEvent batch = event(message("m1", "g1", true), message("m2", "g2", true), message("m3", "g3", true), message("m4", "g4", true));

        SQSBatchResponse response = SqsBatch.process(batch, limits, failing(List.of(), () -> clock.advance(Duration.ofSeconds(26))),
                m -> m.getMessageId());

        assertThat(ran).containsExactly("m1", "m2");
        assertThat(failed(response)).containsExactly("m3", "m4");
        assertThat(notStarted).containsExactly("m3", "m4");
    }

    @Test
    void everyMessageRunsWithinTheBatchsWorkDeadline() {
        Deadline.clock = Clock.fixed(START, ZoneOffset.UTC);
        Instant workEnds = START.plus(Duration.ofSeconds(90));
        List<Instant> seen = new ArrayList<>();
        SqsBatch.process(event(message("w1", null, false), message("w2", null, false)), new SqsBatch.Limits(workEnds, Duration.ofSeconds(10)),
                message -> seen.add(Deadline.current().orElseThrow()), m -> m.getMessageId());

        assertThat(seen).containsExactly(workEnds, workEnds);
        assertThat(Deadline.current()).as("the deadline ends with the batch").isEmpty();
    }
}
