package io.ashbysync.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * One {@link LocalAws} for a Quarkus application under test: {@code @WithTestResource(LocalAwsResource.class)} on a
 * {@code @QuarkusTest} class points the application's AWS clients, table names, queue URLs and SSM prefix at it.
 * Test classes with the same resources share one application start, hence one LocalAws. Tests reach it, for seeding
 * and assertions, through {@code @InjectLocalAws LocalAws aws;} fields.
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
