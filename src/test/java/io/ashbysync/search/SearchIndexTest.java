package io.ashbysync.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.mirror.Outbox;
import io.ashbysync.platform.AwsResources;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The search index's postings, counts and recorded document hash against DynamoDB (moto): a usual re-index is one
 * transaction, a candidate in more lists than one transaction holds takes several steps; either way the lists and
 * counts end up exactly the candidate's.
 */
@QuarkusTest
class SearchIndexTest {
    @Inject
    SearchIndex index;
    @Inject
    DynamoDbClient dynamo;
    @Inject
    AwsResources resources;
    @Inject
    ObjectMapper mapper;
    @Inject
    MirrorStore mirror;

    private final String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void reindex_movesTheCandidateBetweenJobAndStageLists_andItsCounts() {
        indexDocument("c-1", document("c-1", "2026-01-01T00:00:00Z", List.of("tag-a"), "job-1", "stage-1"));
        assertThat(postings(Facet.JOB, "job-1")).containsExactly("c-1");
        assertThat(count(Facet.JOB, "job-1", "stage:stage-1")).isEqualTo(1);

        indexDocument("c-1", document("c-1", "2026-01-02T00:00:00Z", List.of("tag-a"), "job-2", "stage-2"));

        assertThat(postings(Facet.JOB, "job-1")).isEmpty();
        assertThat(postings(Facet.JOB, "job-2")).containsExactly("c-1");
        assertThat(postings(Facet.STAGE, "stage-1")).isEmpty();
        assertThat(postings(Facet.TAG, "tag-a")).as("one posting per list, the newest").hasSize(1);
        assertThat(count(Facet.JOB, "job-1", "candidates")).isZero();
        assertThat(count(Facet.JOB, "job-1", "stage:stage-1")).isZero();
        assertThat(count(Facet.JOB, "job-2", "stage:stage-2")).isEqualTo(1);
        assertThat(count(Facet.TAG, "tag-a", "candidates")).as("unchanged list, counted once").isEqualTo(1);

        indexDocument("c-1", document("c-1", "2026-01-01T12:00:00Z", List.of(), "job-3", "stage-3"));
        assertThat(postings(Facet.JOB, "job-3")).as("an older document than the one indexed changes nothing").isEmpty();
    }

    @Test
    void aCandidateInMoreListsThanOneTransactionHolds_isIndexedAndRemovedCompletely() {
        List<String> tags = IntStream.range(0, 150).mapToObj(i -> "tag-" + i).toList();
        indexDocument("c-9", document("c-9", "2026-01-01T00:00:00Z", tags, "job-1", "stage-1"));
        indexDocument("c-8", document("c-8", "2026-01-01T00:00:00Z", List.of("tag-7"), "job-1", "stage-1"));

        assertThat(tags).allSatisfy(tag -> assertThat(postings(Facet.TAG, tag)).contains("c-9"));
        assertThat(tags).allSatisfy(tag -> assertThat(count(Facet.TAG, tag, "candidates")).isEqualTo(tag.equals("tag-7") ? 2 : 1));

        indexDocument("c-9", document("c-9", "2026-01-02T00:00:00Z", List.of("tag-0", "tag-149"), "job-1", "stage-1"));

        assertThat(tags.subList(1, 149)).allSatisfy(tag -> assertThat(postings(Facet.TAG, tag)).doesNotContain("c-9"));
        assertThat(postings(Facet.TAG, "tag-7")).containsExactly("c-8");
        assertThat(count(Facet.TAG, "tag-7", "candidates")).isEqualTo(1);
        assertThat(count(Facet.TAG, "tag-8", "candidates")).isZero();
        assertThat(postings(Facet.TAG, "tag-149")).containsExactly("c-9");

        long removal = index.remove(tenant, "c-9", new SearchIndex.Removal(null, Instant.parse("2026-03-01T00:00:00Z")));

        assertThat(postings(Facet.ALL, null)).containsExactly("c-8");
        assertThat(postings(Facet.TAG, "tag-0")).isEmpty();
        assertThat(count(Facet.JOB, "job-1", "stage:stage-1")).isEqualTo(1);
        Map<String, AttributeValue> manifest = dynamo.getItem(r -> r.tableName(resources.mirrorTable()).key(Map.of(
                "pk", AttributeValue.fromS(MirrorStore.partitionKey(tenant, "CANDIDATE", "c-9")),
                "sk", AttributeValue.fromS(SearchIndex.MANIFEST)))).item();
        assertThat(manifest).as("the removed candidate's manifest records the removal, to be told").containsKeys(SearchIndex.REMOVED, Outbox.UNSENT_AT);
        assertThat(manifest.get("postings").s()).isEqualTo("[]");
        assertThat(Long.parseLong(manifest.get("version").n())).as("the removal's revision").isEqualTo(removal);
        assertThat(index.remove(tenant, "c-9", new SearchIndex.Removal(null, Instant.parse("2026-03-01T00:00:00Z"))))
                .as("removing again changes nothing").isEqualTo(removal);
    }

    @Test
    void theDocumentHashIsRecordedWithTheIndex_andAStaleManifestAsReadCostsARetryNotAWrongIndex() {
        index.index(tenant, "c-1", document("c-1", "2026-01-01T00:00:00Z", List.of("tag-a"), "job-1", "stage-1"), "h-1", Map.of(), List.of());
        assertThat(recordedHash("c-1")).isEqualTo("h-1");

        // the caller read the partition before the first index: its manifest-as-read (none) is stale
        index.index(tenant, "c-1", document("c-1", "2026-01-02T00:00:00Z", List.of("tag-b"), "job-1", "stage-2"), "h-2", Map.of(), List.of());

        assertThat(recordedHash("c-1")).isEqualTo("h-2");
        assertThat(postings(Facet.TAG, "tag-a")).isEmpty();
        assertThat(postings(Facet.TAG, "tag-b")).containsExactly("c-1");
        assertThat(count(Facet.JOB, "job-1", "candidates")).as("counted once across the retry").isEqualTo(1);
        assertThat(count(Facet.JOB, "job-1", "stage:stage-1")).isZero();
        assertThat(count(Facet.JOB, "job-1", "stage:stage-2")).isEqualTo(1);

        List<String> manyTags = IntStream.range(0, 120).mapToObj(i -> "tag-" + i).toList();
        index.index(tenant, "c-1", document("c-1", "2026-01-03T00:00:00Z", manyTags, "job-1", "stage-2"), "h-3", null, List.of());
        assertThat(recordedHash("c-1")).as("recorded by the last step of a change too big for one transaction").isEqualTo("h-3");

        index.index(tenant, "c-1", document("c-1", "2026-01-02T12:00:00Z", List.of("tag-z"), "job-1", "stage-2"), "h-old", null, List.of());
        assertThat(recordedHash("c-1")).as("an older document changes nothing").isEqualTo("h-3");
        assertThat(postings(Facet.TAG, "tag-z")).isEmpty();
    }

    @Test
    void writesThatGoAlongside_landWithTheIndex_whenItFitsOneTransaction_whenItTakesSeveral_andWhenTheDocumentIsStale() {
        index.index(tenant, "c-1", document("c-1", "2026-01-02T00:00:00Z", List.of("tag-a"), "job-1", "stage-1"), "h-1", null,
                notes("c-1", "n-1"));
        List<String> manyTags = IntStream.range(0, 120).mapToObj(i -> "tag-" + i).toList();
        index.index(tenant, "c-1", document("c-1", "2026-01-03T00:00:00Z", manyTags, "job-1", "stage-1"), "h-2", null,
                notes("c-1", "n-2"));
        index.index(tenant, "c-1", document("c-1", "2026-01-01T00:00:00Z", List.of(), "job-1", "stage-1"), "h-old", null,
                notes("c-1", "n-3"));

        assertThat(List.of("n-1", "n-2", "n-3")).allSatisfy(note ->
                assertThat(mirror.get(tenant, "CANDIDATE", "c-1", MirrorStore.NOTE + note)).as(note).isPresent());
        assertThat(recordedHash("c-1")).isEqualTo("h-2");
    }

    private List<TransactWriteItem> notes(String candidateId, String noteId) {
        return mirror.childWriteActions(tenant, List.of(new MirrorStore.ChildWrite("CANDIDATE", candidateId, MirrorStore.NOTE + noteId,
                mapper.createObjectNode().put("id", noteId))));
    }

    private void indexDocument(String candidateId, ObjectNode document) {
        index.index(tenant, candidateId, document, "hash-of-" + document.path("candidate").path("updatedAt").asText(), null, List.of());
    }

    private String recordedHash(String candidateId) {
        return SearchIndex.indexedDocumentHash(dynamo.getItem(r -> r.tableName(resources.mirrorTable()).consistentRead(true).key(Map.of(
                "pk", AttributeValue.fromS(MirrorStore.partitionKey(tenant, "CANDIDATE", candidateId)),
                "sk", AttributeValue.fromS(SearchIndex.MANIFEST)))).item());
    }

    private ObjectNode document(String candidateId, String updatedAt, List<String> tags, String jobId, String stageId) {
        ObjectNode document = mapper.createObjectNode();
        ObjectNode candidate = document.putObject("candidate").put("id", candidateId).put("name", "Ada " + candidateId).put("updatedAt", updatedAt);
        ArrayNode tagList = candidate.putArray("tags");
        tags.forEach(t -> tagList.addObject().put("id", t).put("title", t.toUpperCase()));
        ObjectNode application = document.putArray("applications").addObject().put("id", "a-" + candidateId).put("status", "Active")
                .put("updatedAt", updatedAt);
        application.putObject("job").put("id", jobId).put("title", "Job " + jobId);
        application.putObject("currentInterviewStage").put("id", stageId).put("title", "Stage " + stageId);
        return document;
    }

    /** Candidate ids on one list, in the list's order. */
    private List<String> postings(Facet facet, String value) {
        return dynamo.query(r -> r.tableName(resources.mirrorTable()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :p)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(facet.listKey(tenant, value)),
                                ":p", AttributeValue.fromS(SearchIndex.POSTING_PREFIX))))
                .items().stream().map(i -> i.get("sk").s().substring(i.get("sk").s().lastIndexOf('#') + 1)).toList();
    }

    private long count(Facet facet, String value, String attribute) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(resources.mirrorTable()).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(facet.listKey(tenant, value)), "sk", AttributeValue.fromS(SearchIndex.COUNT)))).item();
        return item == null || !item.containsKey(attribute) ? 0 : Long.parseLong(item.get(attribute).n());
    }
}
