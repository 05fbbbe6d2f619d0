package io.ashbysync.testing;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.command.CommandsHandler;
import io.quarkus.arc.Arc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code commands} handler called in the test's own Quarkus application, for tests whose profile serves another
 * function through the Lambda event server (one application serves one handler there). Takes and returns the same
 * JSON as {@link LambdaInvoker#invoke}, so {@link CommandHarness} drives either.
 */
public final class InProcessCommands {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TIMEOUT_MILLIS = 120_000;

    private InProcessCommands() {}

    public static String invoke(String sqsEventJson) {
        JsonNode event;
        try {
            event = JSON.readTree(sqsEventJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        for (JsonNode record : event.path("Records")) {
            SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
            message.setMessageId(record.path("messageId").asText());
            message.setReceiptHandle(record.path("receiptHandle").asText());
            message.setBody(record.path("body").asText());
            message.setEventSource(record.path("eventSource").asText());
            message.setEventSourceArn(record.path("eventSourceARN").asText());
            message.setAwsRegion(record.path("awsRegion").asText());
            Map<String, String> attributes = new LinkedHashMap<>();
            record.path("attributes").properties().forEach(a -> attributes.put(a.getKey(), a.getValue().asText()));
            message.setAttributes(attributes);
            messages.add(message);
        }
        SQSEvent sqsEvent = new SQSEvent();
        sqsEvent.setRecords(messages);
        CommandsHandler handler = Arc.container().instance(CommandsHandler.class).get();
        SQSBatchResponse response = handler.handleRequest(sqsEvent, TestLambdaContext.of("commands", java.time.Duration.ofMillis(TIMEOUT_MILLIS)));
        ObjectNode answer = JSON.createObjectNode();
        var failures = answer.putArray("batchItemFailures");
        response.getBatchItemFailures().forEach(f -> failures.addObject().put("itemIdentifier", f.getItemIdentifier()));
        return answer.toString();
    }
}
