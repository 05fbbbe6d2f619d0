package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.testing.AwsFaults.CallSite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The fault matrix of one pipeline (issue 19). A fault-free run of the scenario records the AWS call sites on its path
 * ({@link AwsFaults.Plan#recordCallSites}); then, for each site, the scenario runs again from a fresh tenant with one
 * fault aimed at that site's first call, the queues redelivering as SQS does, and must leave what the fault-free run
 * left: the same Ashby state and DynamoDB rows, every event of the fault-free run (re-sends only as exact copies), and
 * nothing in a dead-letter queue.
 *
 * <p>Runs differ in their ids and times, so both are compared in terms of meaning: ids are replaced by names the
 * scenario gives ({@link #ashbyNames}: an Ashby entity by its kind and position, which a deterministic scenario
 * repeats), instants by {@code <time>}.
 */
public final class FaultMatrix {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z");
    private static final Pattern EPOCH_MILLIS = Pattern.compile("\\d{13,15}");
    /** One fault-free run per scenario and JVM: every fault kind of the scenario compares with it. */
    private static final Map<String, Baseline> BASELINES = new ConcurrentHashMap<>();

    private FaultMatrix() {}

    /** The kinds of fault the matrix aims at a call site. */
    public enum Fault {
        /** The call fails as it does once the SDK's retries ran out of time ({@link AwsFaults.Kind#CALL_TIMEOUT}). */
        CALL_FAILS(site -> true) {
            @Override
            void arm(CallSite site) {
                AwsFaults.plan().failNextCallsAt(site, 1, AwsFaults.Kind.CALL_TIMEOUT);
            }
        },
        /** A write is applied and its answer lost (read timeout); the SDK sends it again. */
        ANSWER_LOST(CallSite::writes) {
            @Override
            void arm(CallSite site) {
                AwsFaults.plan().failNextAfterApplyingAt(site, 1, AwsFaults.Kind.TIMEOUT);
            }
        },
        /** DynamoDB cancels the transaction with {@code TransactionConflict} (another writer on one of its items). */
        TRANSACTION_CONFLICT(site -> site.operation().equals("TransactWriteItems")) {
            @Override
            void arm(CallSite site) {
                AwsFaults.plan().cancelNextTransactionsAt(site, 1);
            }
        };

        private final Predicate<CallSite> appliesTo;

        Fault(Predicate<CallSite> appliesTo) {
            this.appliesTo = appliesTo;
        }

        abstract void arm(CallSite site);
    }

    /**
     * One run of a scenario, arranged (a fresh tenant, its seed, the command to send): {@code act} is what the
     * faults hit (the pipeline under test, redeliveries included); {@code observe} reads what it left.
     */
    public record Scenario(Runnable act, Supplier<Run> observe) {}

    /**
     * What one run of a scenario left, as it left it: {@code state} (Ashby's and the rows', any shape), the tenant's
     * events, the dead letters naming the tenant, and {@code names} (run-specific id → name) to compare it by.
     */
    public record Run(JsonNode state, List<JsonNode> events, List<String> deadLetters, Map<String, String> names) {}

    private record Baseline(List<CallSite> sites, JsonNode state, Map<String, JsonNode> events) {}

    /** The sites of the scenario's fault-free run (recorded on first use). */
    public static List<CallSite> sites(String scenario, Supplier<Scenario> arrange) {
        return baseline(scenario, arrange).sites();
    }

    /**
     * Runs the scenario once per site {@code fault} applies to, with that fault, and fails listing every site whose
     * run differs from the fault-free one.
     */
    public static void check(String scenario, Supplier<Scenario> arrange, Fault fault) {
        Baseline baseline = baseline(scenario, arrange);
        List<CallSite> sites = baseline.sites().stream().filter(fault.appliesTo).toList();
        assertThat(sites).as("call sites of %s that %s applies to", scenario, fault).isNotEmpty();
        List<String> problems = new ArrayList<>();
        for (CallSite site : sites) {
            Scenario run = arrange.get();
            List<String> found = new ArrayList<>();
            try {
                fault.arm(site);
                run.act().run();
                if (AwsFaults.plan().injected().total() == 0) found.add("the run never reached the site");
            } catch (RuntimeException | AssertionError e) {
                found.add("the run failed: " + e);
            } finally {
                AwsFaults.plan().clear();
            }
            found.addAll(differences(baseline, run.observe().get()));
            if (!found.isEmpty()) problems.add(fault + " at " + site + ":\n    " + String.join("\n    ", found));
        }
        assertThat(problems).as("%s with %s at each of its %d call sites", scenario, fault, sites.size()).isEmpty();
    }

    private static Baseline baseline(String scenario, Supplier<Scenario> arrange) {
        return BASELINES.computeIfAbsent(scenario, s -> {
            Scenario run = arrange.get();
            List<CallSite> sites;
            try {
                AwsFaults.plan().recordCallSites();
                run.act().run();
                sites = AwsFaults.plan().callSites();
            } finally {
                AwsFaults.plan().clear();
            }
            Run clean = run.observe().get();
            assertThat(clean.deadLetters()).as("dead letters of the fault-free run of %s", scenario).isEmpty();
            return new Baseline(sites, normalized(clean.state(), clean.names()), eventsById(clean));
        });
    }

    private static List<String> differences(Baseline baseline, Run faulted) {
        List<String> found = new ArrayList<>();
        faulted.deadLetters().forEach(d -> found.add("in a dead-letter queue: " + abbreviated(d)));
        diff("", baseline.state(), normalized(faulted.state(), faulted.names()), found);
        Map<String, List<JsonNode>> copies = new LinkedHashMap<>();
        for (JsonNode event : faulted.events()) copies.computeIfAbsent(event.path("eventId").asText(), id -> new ArrayList<>()).add(withoutSendTime(event));
        copies.forEach((id, sent) -> {
            if (sent.stream().distinct().count() > 1) found.add("event " + id + " sent with different bodies: " + abbreviated(sent.toString()));
        });
        Map<String, JsonNode> events = eventsById(faulted);
        baseline.events().forEach((id, event) -> {
            if (!events.containsKey(id)) found.add("event lost: " + abbreviated(event.toString()));
            else if (!events.get(id).equals(event)) diff("event " + id, event, events.get(id), found);
        });
        events.forEach((id, event) -> {
            if (!baseline.events().containsKey(id)) found.add("event not in the fault-free run: " + abbreviated(event.toString()));
        });
        return found;
    }

    private static Map<String, JsonNode> eventsById(Run run) {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (JsonNode event : run.events()) {
            JsonNode normal = normalized(withoutSendTime(event), run.names());
            byId.putIfAbsent(normal.path("eventId").asText(), normal);
        }
        return byId;
    }

    /** An event re-sent after a failed attempt is stamped again; the rest of it must be the same. */
    private static JsonNode withoutSendTime(JsonNode event) {
        ObjectNode copy = event.deepCopy();
        copy.remove("occurredAt");
        return copy;
    }

    /** Up to a handful of the paths where two normalized trees differ, with both values. */
    private static void diff(String path, JsonNode expected, JsonNode actual, List<String> found) {
        if (Objects.equals(expected, actual) || found.size() > 12) return;
        if (expected != null && actual != null && expected.isObject() && actual.isObject()) {
            Set<String> fields = new java.util.TreeSet<>();
            expected.fieldNames().forEachRemaining(fields::add);
            actual.fieldNames().forEachRemaining(fields::add);
            fields.forEach(f -> diff(path + "/" + f, expected.get(f), actual.get(f), found));
        } else if (expected != null && actual != null && expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
            for (int i = 0; i < expected.size(); i++) diff(path + "/" + i, expected.get(i), actual.get(i), found);
        } else {
            found.add("at " + path + ": fault-free " + abbreviated(String.valueOf(expected)) + ", with the fault " + abbreviated(String.valueOf(actual)));
        }
    }

    private static String abbreviated(String text) {
        return text.length() <= 600 ? text : text.substring(0, 600) + "…";
    }

    // ---------------------------------------------------------------- names for ids

    /** The tree with ids replaced by their names (other ids by {@code <id>}), instants by {@code <time>}, in values and field names. */
    static JsonNode normalized(JsonNode node, Map<String, String> names) {
        return node == null ? null : new Namer(names).normalized(node);
    }

    /** The names split once: ids found by their pattern, other names (tenant, command ids) by substring. */
    private record Namer(Map<String, String> ids, Map<String, String> literals) {
        Namer(Map<String, String> names) {
            this(names, literals(names));
        }

        private static Map<String, String> literals(Map<String, String> names) {
            Map<String, String> literals = new LinkedHashMap<>();
            names.forEach((id, name) -> {
                if (!UUID.matcher(id).matches()) literals.put(id, name);
            });
            return literals;
        }

        JsonNode normalized(JsonNode node) {
            if (node.isTextual()) return TextNode.valueOf(normalized(node.asText()));
            if (node.isArray()) {
                ArrayNode copy = JSON.createArrayNode();
                node.forEach(element -> copy.add(normalized(element)));
                return copy;
            }
            if (node.isObject()) {
                ObjectNode copy = JSON.createObjectNode();
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    // Ashby's file handles are opaque tokens that encode a file id
                    JsonNode value = field.getKey().equals("handle") ? TextNode.valueOf("<handle>") : normalized(field.getValue());
                    copy.set(normalized(field.getKey()), value);
                }
                return copy;
            }
            return node;
        }

        String normalized(String text) {
            String named = text;
            for (Map.Entry<String, String> literal : literals.entrySet()) {
                if (named.contains(literal.getKey())) named = named.replace(literal.getKey(), literal.getValue());
            }
            Matcher found = UUID.matcher(named);
            StringBuilder out = new StringBuilder();
            while (found.find()) found.appendReplacement(out, Matcher.quoteReplacement(ids.getOrDefault(found.group(), "<id>")));
            found.appendTail(out);
            return EPOCH_MILLIS.matcher(INSTANT.matcher(out).replaceAll("<time>")).replaceAll("<epoch>");
        }
    }

    /** {@link #ashbyNames} with the run's tenant and command ids. */
    public static Map<String, String> names(SimulatedOrganization org, String tenantId, String commandId) {
        Map<String, String> names = ashbyNames(org);
        names.put(commandId, "<command>");
        names.put(tenantId, "<tenant>");
        return names;
    }

    /**
     * Names for the ids of the organization's entities: kind and position ({@code candidate#5}, {@code note#5.0}). A
     * scenario that runs the same steps on the same seed creates its entities in the same order, so they get the same
     * names; a duplicate shifts the positions and shows as a difference.
     */
    public static Map<String, String> ashbyNames(SimulatedOrganization org) {
        Map<String, String> names = new HashMap<>();
        name(names, "user", org.users());
        name(names, "job", org.jobs());
        name(names, "jobPosting", org.jobPostings());
        name(names, "archiveReason", org.archiveReasons());
        name(names, "template", org.communicationTemplates());
        name(names, "tag", org.tags());
        name(names, "source", org.sources());
        name(names, "customField", org.customFieldDefinitions());
        name(names, "project", org.projects());
        name(names, "location", org.locations());
        name(names, "application", org.applications());
        List<ObjectNode> jobs = org.jobs();
        for (int j = 0; j < jobs.size(); j++) {
            String plan = jobs.get(j).path("defaultInterviewPlanId").asText(null);
            if (plan == null) continue;
            names.putIfAbsent(plan, "plan#" + j);
            name(names, "stage#" + j + ".", org.interviewStages(plan));
        }
        List<ObjectNode> candidates = org.candidates();
        for (int c = 0; c < candidates.size(); c++) {
            names.put(candidates.get(c).get("id").asText(), "candidate#" + c);
            name(names, "note#" + c + ".", org.notes(candidates.get(c).get("id").asText()));
        }
        return names;
    }

    private static void name(Map<String, String> names, String kind, List<ObjectNode> entities) {
        String prefix = kind.endsWith(".") ? kind : kind + "#";
        for (int i = 0; i < entities.size(); i++) names.putIfAbsent(entities.get(i).get("id").asText(), prefix + i);
    }

    // ---------------------------------------------------------------- DynamoDB rows

    /**
     * Attempt bookkeeping, which differs by design when an attempt fails: how many there were, their ids, leases and
     * start times, the last failure, the resume state of a command in flight; and the TTL, set from the time of the write.
     */
    private static final Set<String> BOOKKEEPING = Set.of("attempts", "leaseUntil", "leaseHolder", "attempt", "startedAt", "lastFailure",
            "lastFailureAt", "progress", "expiresAt");

    /** The items of one partition of a stack table ({@code logicalId}), read consistently without the fault layer. */
    public static List<Map<String, AttributeValue>> partition(LocalAws aws, String logicalId, String pk) {
        return aws.dynamoDb().query(r -> r.tableName(aws.tableName(logicalId)).consistentRead(true).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))).items();
    }

    /** DynamoDB items as JSON by {@code pk|sk}, without {@link #BOOKKEEPING}; attributes holding JSON text are parsed. */
    public static ObjectNode rows(List<Map<String, AttributeValue>> items) {
        ObjectNode rows = JSON.createObjectNode();
        for (Map<String, AttributeValue> item : items) {
            ObjectNode row = rows.putObject(item.get("pk").s() + "|" + item.get("sk").s());
            new java.util.TreeMap<>(item).forEach((name, value) -> {
                if (!BOOKKEEPING.contains(name) && !name.equals("pk") && !name.equals("sk")) row.set(name, json(value));
            });
        }
        return rows;
    }

    private static JsonNode json(AttributeValue value) {
        if (value.s() != null) {
            String text = value.s();
            if (text.startsWith("{") || text.startsWith("[")) {
                try {
                    return JSON.readTree(text);
                } catch (java.io.IOException notJson) {
                    return TextNode.valueOf(text);
                }
            }
            return TextNode.valueOf(text);
        }
        if (value.n() != null) return TextNode.valueOf(value.n());
        if (value.bool() != null) return JSON.getNodeFactory().booleanNode(value.bool());
        if (value.hasSs()) return JSON.valueToTree(value.ss().stream().sorted().toList());
        if (value.hasNs()) return JSON.valueToTree(value.ns().stream().sorted().toList());
        if (value.hasM()) {
            ObjectNode map = JSON.createObjectNode();
            new java.util.TreeMap<>(value.m()).forEach((k, v) -> map.set(k, json(v)));
            return map;
        }
        if (value.hasL()) {
            ArrayNode list = JSON.createArrayNode();
            value.l().forEach(v -> list.add(json(v)));
            return list;
        }
        return JSON.nullNode();
    }

    // ---------------------------------------------------------------- dead letters

    /** Bodies in the dead-letter queues that mention the tenant (the queues are shared by every test of the JVM). */
    public static List<String> deadLetters(LocalAws aws, String tenantId) {
        List<String> found = new ArrayList<>();
        for (String queue : List.of("CommandsDeadLetterQueue", "WorkDeadLetterQueue", "EventsDeadLetterQueue")) {
            String url = aws.queueUrl(queue);
            List<Message> seen = new ArrayList<>();
            for (List<Message> batch; !(batch = aws.sqs().receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).visibilityTimeout(30)
                    .waitTimeSeconds(0)).messages()).isEmpty(); ) {
                seen.addAll(batch);
            }
            // hidden while counted, so each is seen once; visible again for whoever looks next
            seen.forEach(m -> aws.sqs().changeMessageVisibility(r -> r.queueUrl(url).receiptHandle(m.receiptHandle()).visibilityTimeout(0)));
            seen.stream().map(Message::body).filter(b -> b.contains(tenantId)).forEach(found::add);
        }
        return found;
    }
}
