package io.ashbysync.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.time.Duration;
import java.util.UUID;

/** The Lambda context of an invocation made in-process, ending when a real one would ({@code deadlineMillis}). */
public record TestLambdaContext(String functionName, String awsRequestId, long deadlineMillis) implements Context {
    /** An invocation of {@code functionName} that may run for {@code timeout} from now. */
    public static TestLambdaContext of(String functionName, Duration timeout) {
        return new TestLambdaContext(functionName, UUID.randomUUID().toString(), System.currentTimeMillis() + timeout.toMillis());
    }

    @Override public String getAwsRequestId() { return awsRequestId; }
    @Override public String getLogGroupName() { return "/aws/lambda/" + functionName; }
    @Override public String getLogStreamName() { return "test"; }
    @Override public String getFunctionName() { return functionName; }
    @Override public String getFunctionVersion() { return "$LATEST"; }
    @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:" + functionName; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getRemainingTimeInMillis() { return (int) Math.max(deadlineMillis - System.currentTimeMillis(), 0); }
    @Override public int getMemoryLimitInMB() { return 1024; }
    @Override public LambdaLogger getLogger() { return null; }
}
