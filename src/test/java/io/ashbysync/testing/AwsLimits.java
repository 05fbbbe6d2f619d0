package io.ashbysync.testing;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The documented size and count limits of DynamoDB and SQS, which moto and ElasticMQ let through: an item of at most
 * 400 KB, a transaction of at most 100 actions and 4 MB, batches of 25 writes and 100 reads, a message of at most
 * 256 KiB and a SendMessageBatch of at most 10 messages and 256 KiB in all. A request over a limit is refused before it
 * is sent, with the error AWS gives, so the product meets in the tests what it meets on AWS.
 *
 * <p>Registered for the test profile's AWS clients (src/test/resources/META-INF/microprofile-config.properties). An
 * UpdateItem is checked on its key and values (the item it updates is not known here): enough for a value that alone
 * passes the limit.
 */
public final class AwsLimits implements ExecutionInterceptor {
    static final long MAX_ITEM_BYTES = 400 * 1024;
    static final long MAX_TRANSACTION_BYTES = 4L * 1024 * 1024;
    static final int MAX_TRANSACTION_ACTIONS = 100;
    static final int MAX_BATCH_WRITES = 25;
    static final int MAX_BATCH_READS = 100;
    static final long MAX_MESSAGE_BYTES = 256 * 1024;
    static final int MAX_BATCH_MESSAGES = 10;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        switch (request) {
            case PutItemRequest put -> checkItem("PutItem", put.item());
            case UpdateItemRequest update -> {
                long size = size(update.key()) + size(update.expressionAttributeValues());
                if (size > MAX_ITEM_BYTES) throw dynamo("ValidationException", "Item size has exceeded the maximum allowed size (UpdateItem values of " + size + " bytes)");
            }
            case TransactWriteItemsRequest transaction -> checkTransaction(transaction.transactItems());
            case BatchWriteItemRequest batch -> {
                int writes = batch.requestItems().values().stream().mapToInt(List::size).sum();
                if (writes > MAX_BATCH_WRITES) throw dynamo("ValidationException", "Too many items requested for the BatchWriteItem call (" + writes + ")");
                batch.requestItems().values().stream().flatMap(List::stream).map(WriteRequest::putRequest)
                        .filter(java.util.Objects::nonNull).forEach(p -> checkItem("BatchWriteItem", p.item()));
            }
            case BatchGetItemRequest batch -> {
                int keys = batch.requestItems().values().stream().mapToInt(k -> k.keys().size()).sum();
                if (keys > MAX_BATCH_READS) throw dynamo("ValidationException", "Too many items requested for the BatchGetItem call (" + keys + ")");
            }
            case SendMessageRequest send -> checkMessage(send.messageBody(), send.messageAttributes());
            case SendMessageBatchRequest batch -> checkBatch(batch.entries());
            default -> { }
        }
    }

    private static void checkItem(String operation, Map<String, AttributeValue> item) {
        long size = size(item);
        if (size > MAX_ITEM_BYTES) {
            throw dynamo("ValidationException", "Item size has exceeded the maximum allowed size (" + operation + " of " + size + " bytes)");
        }
    }

    private static void checkTransaction(List<TransactWriteItem> actions) {
        if (actions.size() > MAX_TRANSACTION_ACTIONS) {
            throw dynamo("ValidationException", "Member must have length less than or equal to 100 (" + actions.size() + " actions)");
        }
        long total = 0;
        for (TransactWriteItem action : actions) {
            if (action.put() != null) {
                checkItem("TransactWriteItems", action.put().item());
                total += size(action.put().item());
            }
            if (action.update() != null) total += size(action.update().key()) + size(action.update().expressionAttributeValues());
            if (action.delete() != null) total += size(action.delete().key());
            if (action.conditionCheck() != null) total += size(action.conditionCheck().key());
        }
        if (total > MAX_TRANSACTION_BYTES) {
            throw dynamo("ValidationException", "Transaction request cannot be larger than 4 MB (" + total + " bytes)");
        }
    }

    private static void checkBatch(List<SendMessageBatchRequestEntry> entries) {
        if (entries.size() > MAX_BATCH_MESSAGES) throw sqs("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10");
        long total = 0;
        for (SendMessageBatchRequestEntry entry : entries) total += checkMessage(entry.messageBody(), entry.messageAttributes());
        if (total > MAX_MESSAGE_BYTES) {
            throw sqs("AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than 262144 bytes (" + total + ")");
        }
    }

    private static long checkMessage(String body, Map<String, MessageAttributeValue> attributes) {
        long size = utf8(body);
        for (Map.Entry<String, MessageAttributeValue> a : attributes.entrySet()) {
            size += utf8(a.getKey()) + utf8(a.getValue().dataType()) + utf8(a.getValue().stringValue())
                    + (a.getValue().binaryValue() == null ? 0 : a.getValue().binaryValue().asByteArray().length);
        }
        if (size > MAX_MESSAGE_BYTES) {
            throw sqs("InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes (" + size + ")");
        }
        return size;
    }

    /** DynamoDB's item size: attribute names and values in UTF-8, numbers about one byte per two digits. */
    static long size(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) size += utf8(attribute.getKey()) + size(attribute.getValue());
        return size;
    }

    private static long size(AttributeValue value) {
        if (value.s() != null) return utf8(value.s());
        if (value.n() != null) return value.n().length() / 2 + 1;
        if (value.b() != null) return value.b().asByteArray().length;
        if (value.bool() != null || Boolean.TRUE.equals(value.nul())) return 1;
        if (value.hasSs()) return value.ss().stream().mapToLong(AwsLimits::utf8).sum();
        if (value.hasNs()) return value.ns().stream().mapToLong(n -> n.length() / 2 + 1).sum();
        if (value.hasBs()) return value.bs().stream().mapToLong(b -> b.asByteArray().length).sum();
        if (value.hasL()) return 3 + sum(value.l());
        if (value.hasM()) return 3 + size(value.m());
        return 1;
    }

    private static long sum(Collection<AttributeValue> values) {
        return values.stream().mapToLong(AwsLimits::size).sum();
    }

    private static long utf8(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static DynamoDbException dynamo(String code, String message) {
        return (DynamoDbException) DynamoDbException.builder().statusCode(400).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("DynamoDb").build()).build();
    }

    private static SqsException sqs(String code, String message) {
        return (SqsException) SqsException.builder().statusCode(400).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("Sqs").build()).build();
    }
}
