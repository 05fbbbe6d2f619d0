package io.ashbysync.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import org.junit.jupiter.api.Test;

class SqsSenderTest {
    private static List<SendMessageBatchRequestEntry> entries(int count, int bodyBytes) {
        List<SendMessageBatchRequestEntry.Builder> builders = SqsSender.entries(count);
        return builders.stream().map(b -> b.messageBody("x".repeat(bodyBytes)).messageAttributes(Map.of("type",
                MessageAttributeValue.builder().dataType("String").stringValue("candidate.upserted").build())).build()).toList();
    }

    @Test
    void batches_neverPassSqsTotalOf256KiB_norTenMessages_andKeepTheOrder() {
        // ten messages of 200 KB each: one SendMessageBatch of all ten would be refused whole (BatchRequestTooLong)
        List<SendMessageBatchRequestEntry> big = entries(25, 200_000);

        List<List<SendMessageBatchRequestEntry>> batches = SqsSender.batches(big);

        assertThat(batches).allSatisfy(batch -> {
            assertThat(batch.size()).isBetween(1, 10);
            assertThat(batch.stream().mapToLong(SqsSender::size).sum()).isLessThanOrEqualTo(262_144);
            assertThat(batch.stream().map(SendMessageBatchRequestEntry::id).distinct().count()).isEqualTo(batch.size());
        });
        assertThat(batches.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(big);
    }

    @Test
    void batches_ofSmallMessages_areTensAsBefore() {
        assertThat(SqsSender.batches(entries(25, 500))).extracting(List::size).containsExactly(10, 10, 5);
    }
}
