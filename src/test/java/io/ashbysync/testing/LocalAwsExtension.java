package io.ashbysync.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Local AWS for plain JUnit tests: {@code @ExtendWith(LocalAwsExtension.class)} and a {@link LocalAws} parameter
 * (constructor, lifecycle or test method). One instance serves the whole test run and is closed at its end.
 */
public final class LocalAwsExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalAwsExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalAws.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(LocalAws.class, type -> LocalAws.start(), LocalAws.class);
    }
}
