package io.ashbysync.application;

import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.model.User;
import io.ashbysync.platform.TtlCache;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The recruiter who asked (the command's {@code requestedBy}) as an Ashby user, and Ashby writes made on their behalf
 * ({@code X-On-Behalf-Of}). When the key may not act for users (Ashby answers 403 {@code on_behalf_of_not_allowed}
 * before applying anything) or Ashby does not know the user ({@code user_not_found}), the write is made as the key and
 * the receipt says so. A refusal is remembered for a while so a bulk run does not pay for it on every application.
 */
@ApplicationScoped
public class ActionOwners {
    private static final Logger LOG = Logger.getLogger(ActionOwners.class);
    public static final String AS_USER = "user";
    public static final String AS_API_KEY = "apiKey";
    /** The write landed but its answer was lost (found on a resumed attempt): Ashby's history has the actor. */
    public static final String AS_UNKNOWN = "unknown";

    /** @param userId the Ashby user with the recruiter's email, or null when Ashby has none */
    public record Owner(String email, String name, String userId) {
        public String display() {
            return name == null ? email : name + " <" + email + ">";
        }
    }

    /** A write's result and who Ashby recorded as its actor. */
    public record Acted<T>(T value, String actedAs) {}

    private final TtlCache<Optional<String>> userIds;
    private final Map<String, Instant> refusedUntil = new ConcurrentHashMap<>();
    private final ApplicationsConfig config;

    public ActionOwners(ApplicationsConfig config) {
        this.config = config;
        this.userIds = new TtlCache<>(config.cacheTtl(), Clock.systemUTC());
    }

    public Owner resolve(AshbySession ashby, String email, String name) {
        Optional<String> userId = userIds.get(ashby.tenantId() + "|" + email.toLowerCase(), () ->
                ashby.callForList(AshbyEndpoint.USER_SEARCH, Map.of("email", email), User.class).stream()
                        .filter(User::isEnabled).map(User::id).findFirst());
        return new Owner(email, name, userId.orElse(null));
    }

    public <T> Acted<T> write(AshbySession ashby, Owner owner, Function<AshbySession, T> call) {
        Instant refused = refusedUntil.get(ashby.tenantId());
        if (owner.userId() != null && (refused == null || refused.isBefore(Instant.now()))) {
            try {
                return new Acted<>(call.apply(ashby.onBehalfOf(owner.userId())), AS_USER);
            } catch (AshbyException e) {
                if (!refusedOnBehalf(e)) throw e;
                LOG.warnf("tenant %s: Ashby refused to act as user %s (%s); writing as the API key", ashby.tenantId(), owner.userId(), e.code());
                refusedUntil.put(ashby.tenantId(), Instant.now().plus(config.onBehalfOfRefusalMemory()));
            }
        }
        return new Acted<>(call.apply(ashby), AS_API_KEY);
    }

    private static boolean refusedOnBehalf(AshbyException e) {
        return (e instanceof AshbyException.Unauthorized && "on_behalf_of_not_allowed".equals(e.code()))
                || (e instanceof AshbyException.Rejected && "user_not_found".equals(e.code()));
    }
}
