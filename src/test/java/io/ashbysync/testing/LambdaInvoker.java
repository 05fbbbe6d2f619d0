package io.ashbysync.testing;

import static io.restassured.RestAssured.given;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Invokes the function under test through Quarkus' Lambda event server. The test profile gives the server a free
 * port (so parallel builds on one machine do not collide); the port it got is read back from the config.
 */
public final class LambdaInvoker {
    private LambdaInvoker() {}

    public static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.lambda.mock-event-server.test-port", Integer.class);
    }

    /** Posts the event and returns the function's JSON answer. */
    public static String invoke(String eventJson) {
        return invoke(port(), eventJson);
    }

    /** For threads that cannot read the test's config (the port is read on the test thread beforehand). */
    public static String invoke(int port, String eventJson) {
        return given().port(port).contentType("application/json").body(eventJson).when().post().then().statusCode(200)
                .extract().asString();
    }
}
