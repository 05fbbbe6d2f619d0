package io.ashbysync.application;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.AshbyClient;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.model.Application;
import io.ashbysync.ashby.model.InterviewStage;
import io.ashbysync.command.CommandFailedException;
import io.ashbysync.command.CommandProcessor;
import io.ashbysync.idempotency.IdempotencyStore;
import io.ashbysync.outbound.EventPublisher;
import io.ashbysync.outbound.OutboundEvent;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.work.WorkItem;
import io.ashbysync.work.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * A rejection of one or many applications, run in chunks over the work queue so no invocation makes thousands of
 * Ashby calls; every call spends the tenant's request budget.
 *
 * <p>State lives in the tenants table: the job ({@code sk=REJECTJOB#<jobId>}: what to do, which chunks are done, whether
 * the result went out) and one item per chunk ({@code sk=REJECTJOB#<jobId>#CHUNK#<n>}: its application ids and each
 * one's outcome). A chunk saves an application's outcome before it moves to the next one. For an application without a
 * saved outcome it first reads the application: one archived with this job's reason since the chunk started was
 * archived by this job (the write landed, its outcome was lost), so it is not archived again and no second email goes
 * out; one archived before is reported {@code already_archived}. Receipt notes carry a reference that is looked for
 * before a note is written again. The last chunk to finish publishes the one result.
 */
@ApplicationScoped
public class RejectionJobs {
    public static final String CHUNK_WORK_TYPE = "application.reject.chunk";
    public static final String PROGRESS_EVENT = "command.progress";
    public static final String DELAYED_COMPLETED_EVENT = "application.reject.completed";
    private static final Logger LOG = Logger.getLogger(RejectionJobs.class);
    private static final Duration RETENTION = Duration.ofDays(30);
    private static final Duration CLOCK_SLACK = Duration.ofSeconds(5);
    private static final int MAX_WRITE_ATTEMPTS = 3;

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final ObjectMapper mapper;
    private final WorkQueue work;
    private final TenantStore tenants;
    private final AshbyClient ashbyClient;
    private final HiringData hiring;
    private final ActionOwners owners;
    private final Receipts receipts;
    private final ReceiptSettings settings;
    private final EventPublisher events;
    private final IdempotencyStore idempotency;
    private final ApplicationsConfig config;

    public RejectionJobs(DynamoDbClient dynamo, AwsResources resources, ObjectMapper mapper, WorkQueue work, TenantStore tenants,
                         AshbyClient ashbyClient, HiringData hiring, ActionOwners owners, Receipts receipts, ReceiptSettings settings,
                         EventPublisher events, IdempotencyStore idempotency, ApplicationsConfig config) {
        this.dynamo = dynamo;
        this.resources = resources;
        this.mapper = mapper;
        this.work = work;
        this.tenants = tenants;
        this.ashbyClient = ashbyClient;
        this.hiring = hiring;
        this.owners = owners;
        this.receipts = receipts;
        this.settings = settings;
        this.events = events;
        this.idempotency = idempotency;
        this.config = config;
    }

    /** Stores the job and its chunks (kept as they are when an earlier attempt stored them) and queues every chunk. */
    public int start(String tenantId, ObjectNode spec, List<String> applicationIds) {
        String jobId = spec.get("jobId").asText();
        int chunkSize = config.chunkSize();
        int chunks = (applicationIds.size() + chunkSize - 1) / chunkSize;
        Map<String, AttributeValue> job = new HashMap<>(key(tenantId, jobSk(jobId)));
        job.put("spec", json(spec));
        job.put("chunkCount", n(chunks));
        job.put("total", n(applicationIds.size()));
        job.put("expiresAt", n(Instant.now().plus(RETENTION).getEpochSecond()));
        putIfAbsent(job);
        List<WorkItem> items = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            List<String> ids = applicationIds.subList(c * chunkSize, Math.min((c + 1) * chunkSize, applicationIds.size()));
            Map<String, AttributeValue> chunk = new HashMap<>(key(tenantId, chunkSk(jobId, c)));
            chunk.put("applicationIds", json(mapper.valueToTree(ids)));
            chunk.put("outcomes", json(mapper.createObjectNode()));
            chunk.put("expiresAt", n(Instant.now().plus(RETENTION).getEpochSecond()));
            putIfAbsent(chunk);
            ObjectNode payload = mapper.createObjectNode().put("jobId", jobId).put("chunk", c);
            items.add(new WorkItem(CHUNK_WORK_TYPE, tenantId, jobId + "#" + c, payload));
        }
        work.send(items);
        return chunks;
    }

    /** Runs one chunk; throws to be retried (the outcomes saved so far are kept). */
    public void runChunk(String tenantId, String jobId, int chunk) {
        Map<String, AttributeValue> job = get(tenantId, jobSk(jobId));
        if (job == null) {
            LOG.errorf("rejection job %s of tenant %s is gone; dropping chunk %d", jobId, tenantId, chunk);
            return;
        }
        ObjectNode spec = (ObjectNode) parse(job.get("spec"));
        String chunkSk = chunkSk(jobId, chunk);
        Instant now = Instant.now();
        Map<String, AttributeValue> state;
        // The lease names its holder, so an SDK retry of this write whose answer was lost finds its own lease. A
        // finished chunk is taken even under a lease (one whose release failed): what is left is idempotent.
        String holder = UUID.randomUUID().toString();
        try {
            state = dynamo.updateItem(r -> r.tableName(resources.tenantsTable()).key(key(tenantId, chunkSk))
                    .updateExpression("SET leaseUntil = :until, leaseHolder = :holder, startedAt = if_not_exists(startedAt, :now) ADD attempts :one")
                    .conditionExpression("attribute_exists(sk) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR finished = :true)")
                    .expressionAttributeValues(Map.of(":until", n(now.plus(config.chunkLease()).toEpochMilli()), ":now", n(now.toEpochMilli()),
                            ":one", n(1), ":holder", s(holder), ":true", AttributeValue.fromBool(true)))
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
        } catch (ConditionalCheckFailedException busy) {
            if (!busy.hasItem() || !busy.item().containsKey("leaseHolder") || !holder.equals(busy.item().get("leaseHolder").s())) {
                throw new IllegalStateException("chunk " + chunk + " of rejection " + jobId + " is being run by another delivery");
            }
            state = busy.item();
        }
        try {
            ObjectNode outcomes = (ObjectNode) parse(state.get("outcomes"));
            if (!state.containsKey("finished")) {
                Instant startedAt = Instant.ofEpochMilli(Long.parseLong(state.get("startedAt").n()));
                ArrayNode applicationIds = (ArrayNode) parse(state.get("applicationIds"));
                try {
                    runItems(tenantId, spec, chunkSk, applicationIds, outcomes, startedAt);
                } catch (RuntimeException e) {
                    int attempts = Integer.parseInt(state.get("attempts").n());
                    if (attempts < config.chunkMaxAttempts()) throw e;
                    // The last delivery before the dead-letter queue: answer for every application instead of losing them.
                    LOG.errorf("chunk %d of rejection %s gave up after %d attempts: %s", chunk, jobId, attempts, e.getMessage());
                    for (JsonNode id : applicationIds) {
                        if (!outcomes.has(id.asText())) {
                            outcomes.set(id.asText(), failedItem(id.asText(), "retries_exhausted",
                                    "gave up after " + attempts + " attempts: " + e.getMessage()));
                        }
                    }
                    saveOutcomes(tenantId, chunkSk, outcomes);
                }
                dynamo.updateItem(r -> r.tableName(resources.tenantsTable()).key(key(tenantId, chunkSk))
                        .updateExpression("SET finished = :true").expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true))));
            }
        } finally {
            dynamo.updateItem(r -> r.tableName(resources.tenantsTable()).key(key(tenantId, chunkSk)).updateExpression("REMOVE leaseUntil, leaseHolder"));
        }
        finishChunk(tenantId, spec, chunk);
    }

    private void runItems(String tenantId, ObjectNode spec, String chunkSk, ArrayNode applicationIds, ObjectNode outcomes, Instant startedAt) {
        TenantConfig tenant = tenants.get(tenantId);
        if (!tenant.status().writesToAshby()) {
            // Paused (or disabled) since the chunk was queued: answered, never held for a write after the resume.
            CommandFailedException refused = CommandFailedException.tenantNotActive(tenant);
            LOG.infof("chunk of rejection %s refused: %s", spec.path("jobId").asText(), refused.getMessage());
            applicationIds.forEach(id -> {
                if (!outcomes.has(id.asText())) outcomes.set(id.asText(), failedItem(id.asText(), refused.code(), refused.getMessage()));
            });
            saveOutcomes(tenantId, chunkSk, outcomes);
            return;
        }
        AshbySession ashby = ashbyClient.forTenant(tenant);
        boolean dryRun = spec.path("dryRun").asBoolean();
        boolean notes = !dryRun && settings.receiptNotes(tenantId);
        ActionOwners.Owner owner = dryRun ? null : owners.resolve(ashby, spec.path("requestedBy").path("email").asText(),
                spec.path("requestedBy").path("name").asText(null));
        for (JsonNode id : applicationIds) {
            String applicationId = id.asText();
            if (outcomes.has(applicationId)) continue;
            ObjectNode outcome;
            try {
                outcome = dryRun ? plan(ashby, spec, applicationId) : reject(ashby, spec, owner, applicationId, startedAt, notes);
            } catch (CommandFailedException e) {
                outcome = failedItem(applicationId, e.code(), e.getMessage());
            }
            outcomes.set(applicationId, outcome);
            saveOutcomes(tenantId, chunkSk, outcomes);
        }
    }

    private void saveOutcomes(String tenantId, String chunkSk, ObjectNode outcomes) {
        dynamo.updateItem(r -> r.tableName(resources.tenantsTable()).key(key(tenantId, chunkSk))
                .updateExpression("SET outcomes = :o").expressionAttributeValues(Map.of(":o", json(outcomes))));
    }

    private ObjectNode plan(AshbySession ashby, ObjectNode spec, String applicationId) {
        Application application = ApplicationAdvanceCommand.info(ashby, applicationId);
        ObjectNode item = mapper.createObjectNode().put("applicationId", applicationId);
        item.putObject("currentStage").put("id", application.currentInterviewStage().id()).put("title", application.currentInterviewStage().title());
        if (!"Active".equals(application.status()) && !"Lead".equals(application.status())) {
            return item.put("outcome", "would_skip").put("because", "application is " + application.status());
        }
        InterviewStage archived = archivedStage(ashby, application);
        item.put("outcome", "would_archive");
        item.putObject("targetStage").put("id", archived.id()).put("title", archived.title());
        item.set("archiveReason", spec.get("archiveReason"));
        if (spec.hasNonNull("template")) {
            ObjectNode email = item.putObject("email");
            email.set("template", spec.get("template"));
            email.put("to", application.candidate().primaryEmailAddress() == null ? null : application.candidate().primaryEmailAddress().value());
            if (spec.hasNonNull("sendAt")) email.put("sendAt", spec.get("sendAt").asText());
            if (spec.hasNonNull("sendAfterMinutes")) email.put("sendAfterMinutes", spec.get("sendAfterMinutes").asInt());
        }
        return item;
    }

    private ObjectNode reject(AshbySession ashby, ObjectNode spec, ActionOwners.Owner owner, String applicationId, Instant startedAt, boolean notes) {
        String reasonId = spec.path("archiveReason").path("id").asText();
        String ref = spec.get("jobId").asText() + "/" + applicationId;
        Application application = ApplicationAdvanceCommand.info(ashby, applicationId);
        ObjectNode item = mapper.createObjectNode().put("applicationId", applicationId);
        String actedAs = null;
        Instant emailAt = null;
        for (int attempt = 1; actedAs == null; attempt++) {
            if (archivedByThisJob(application, reasonId, startedAt)) {
                actedAs = ActionOwners.AS_UNKNOWN;
                item.put("resumed", true);
                break;
            }
            if ("Archived".equals(application.status())) {
                return item.put("outcome", "already_archived");
            }
            if ("Hired".equals(application.status())) {
                return failedItem(applicationId, "application_hired", "application " + applicationId + " is hired: it cannot be rejected");
            }
            InterviewStage archived = archivedStage(ashby, application);
            Map<String, Object> body = new HashMap<>();
            body.put("applicationId", applicationId);
            body.put("interviewStageId", archived.id());
            body.put("archiveReasonId", reasonId);
            if (spec.hasNonNull("template")) {
                Map<String, Object> email = new HashMap<>();
                email.put("communicationTemplateId", spec.path("template").path("id").asText());
                emailAt = spec.hasNonNull("sendAt") ? Instant.parse(spec.get("sendAt").asText())
                        : spec.hasNonNull("sendAfterMinutes") ? Instant.now().plus(Duration.ofMinutes(spec.get("sendAfterMinutes").asInt())) : null;
                if (emailAt != null) email.put("sendAt", emailAt.toString());
                body.put("archiveEmail", email);
            }
            try {
                actedAs = owners.write(ashby, owner, session -> session.call(AshbyEndpoint.APPLICATION_CHANGE_STAGE, body, Application.class)).actedAs();
            } catch (AshbyException.Rejected e) {
                return failedItem(applicationId, e.code(), "Ashby refused to archive the application: " + e.getMessage());
            } catch (AshbyException.WriteOutcomeUnknown unknown) {
                if (attempt == MAX_WRITE_ATTEMPTS) throw unknown;
                application = ApplicationAdvanceCommand.info(ashby, applicationId);
            }
        }
        item.put("outcome", "archived").put("actedAs", actedAs);
        if (spec.hasNonNull("template")) item.put("emailScheduled", true);
        if (notes) {
            String what = "Rejected (archived as \"" + spec.path("archiveReason").path("text").asText() + "\""
                    + (spec.hasNonNull("template") ? ", rejection email \"" + spec.path("template").path("title").asText() + "\" "
                    + (emailAt == null ? "scheduled by Ashby" : "scheduled for " + emailAt) : "") + ")";
            try {
                item.put("noteId", receipts.write(ashby, application.candidate().id(),
                        Receipts.text(what, owner, actedAs, Instant.now(), ref), ref, item.has("resumed")));
            } catch (AshbyException.Rejected e) {
                item.put("noteError", e.code());
            }
        }
        return item;
    }

    private static boolean archivedByThisJob(Application application, String reasonId, Instant startedAt) {
        return "Archived".equals(application.status()) && application.archiveReason() != null
                && reasonId.equals(application.archiveReason().id()) && application.archivedAt() != null
                && !application.archivedAt().isBefore(startedAt.minus(CLOCK_SLACK));
    }

    private InterviewStage archivedStage(AshbySession ashby, Application application) {
        return hiring.archivedStage(ashby, application.currentInterviewStage().interviewPlanId())
                .orElseThrow(() -> new CommandFailedException("archived_stage_not_found",
                        "the interview plan of application " + application.id() + " has no Archived stage"));
    }

    private ObjectNode failedItem(String applicationId, String code, String message) {
        ObjectNode item = mapper.createObjectNode().put("applicationId", applicationId).put("outcome", "failed");
        item.putObject("error").put("code", code).put("message", message);
        return item;
    }

    // ------------------------------------------------------------------ finishing

    private void finishChunk(String tenantId, ObjectNode spec, int chunk) {
        String jobId = spec.get("jobId").asText();
        Map<String, AttributeValue> job = dynamo.updateItem(r -> r.tableName(resources.tenantsTable()).key(key(tenantId, jobSk(jobId)))
                .updateExpression("ADD doneChunks :chunk")
                .expressionAttributeValues(Map.of(":chunk", AttributeValue.fromNs(List.of(Integer.toString(chunk)))))
                .returnValues(ReturnValue.ALL_NEW)).attributes();
        int done = job.get("doneChunks").ns().size();
        int count = Integer.parseInt(job.get("chunkCount").n());
        String commandId = spec.get("commandId").asText();
        events.publish(OutboundEvent.of("progress-" + jobId + "-" + chunk, PROGRESS_EVENT, tenantId, "command", commandId, null,
                mapper.createObjectNode().put("commandId", commandId).put("commandType", spec.get("commandType").asText())
                        .put("chunksDone", done).put("chunkCount", count).put("applicationCount", Integer.parseInt(job.get("total").n()))));
        if (done == count && !job.containsKey("resultPublished")) {
            publishResult(tenantId, spec);
            dynamo.updateItem(r -> r.tableName(resources.tenantsTable()).key(key(tenantId, jobSk(jobId)))
                    .updateExpression("SET resultPublished = :true").expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true))));
        }
    }

    private void publishResult(String tenantId, ObjectNode spec) {
        String jobId = spec.get("jobId").asText();
        List<JsonNode> items = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(resources.tenantsTable()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", s(TenantStore.partitionKey(tenantId)), ":prefix", s(jobSk(jobId) + "#CHUNK#"))))
                .items().forEach(chunk -> {
                    JsonNode outcomes = parse(chunk.get("outcomes"));
                    for (JsonNode id : parse(chunk.get("applicationIds"))) items.add(outcomes.get(id.asText()));
                });
        ObjectNode result = RejectionResult.of(mapper, spec, items);
        String commandId = spec.get("commandId").asText();
        if ("delayed".equals(spec.path("mode").asText())) {
            events.publish(OutboundEvent.of("completed-" + jobId, DELAYED_COMPLETED_EVENT, tenantId, "command", commandId, null, result));
        } else {
            idempotency.complete(tenantId, commandId, result);
            events.publish(OutboundEvent.of("result-" + commandId, CommandProcessor.RESULT_EVENT, tenantId, "command", commandId, null, result));
            idempotency.markResultDelivered(tenantId, commandId);
        }
    }

    // ------------------------------------------------------------------ storage

    static String jobSk(String jobId) {
        return "REJECTJOB#" + jobId;
    }

    private static String chunkSk(String jobId, int chunk) {
        return String.format("%s#CHUNK#%05d", jobSk(jobId), chunk);
    }

    private Map<String, AttributeValue> key(String tenantId, String sk) {
        return Map.of("pk", s(TenantStore.partitionKey(tenantId)), "sk", s(sk));
    }

    private Map<String, AttributeValue> get(String tenantId, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(resources.tenantsTable()).key(key(tenantId, sk)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }

    public Optional<JsonNode> spec(String tenantId, String jobId) {
        return Optional.ofNullable(get(tenantId, jobSk(jobId))).map(job -> parse(job.get("spec")));
    }

    private void putIfAbsent(Map<String, AttributeValue> item) {
        try {
            dynamo.putItem(r -> r.tableName(resources.tenantsTable()).item(item).conditionExpression("attribute_not_exists(sk)"));
        } catch (ConditionalCheckFailedException alreadyStored) {
            // An earlier attempt stored it, with whatever progress it has made since.
        }
    }

    AttributeValue json(JsonNode node) {
        try {
            return s(mapper.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    JsonNode parse(AttributeValue value) {
        try {
            return mapper.readTree(value.s());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("rejection job holds invalid JSON", e);
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
