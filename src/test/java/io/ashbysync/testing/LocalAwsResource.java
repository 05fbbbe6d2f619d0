package io.ashbysync.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * One {@link LocalAws} for a Quarkus test run:
 * {@code @QuarkusTestResource(value = LocalAwsResource.class, restrictToAnnotatedClass = false)} on any test class
 * points the application's AWS clients, table names and queue URLs at it. Tests reach the same instance, for
 * seeding and assertions, with {@code @InjectLocalAws LocalAws aws;} fields.
 */
public final class LocalAwsResource implements QuarkusTestResourceLifecycleManager {

    private LocalAws localAws;

    @Override
    public Map<String, String> start() {
        localAws = LocalAws.start();
        return localAws.quarkusConfig();
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(localAws,
                new TestInjector.AnnotatedAndMatchesType(InjectLocalAws.class, LocalAws.class));
    }

    @Override
    public void stop() {
        if (localAws != null) {
            localAws.close();
            localAws = null;
        }
    }
}
