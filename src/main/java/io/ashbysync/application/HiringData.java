package io.ashbysync.application;

import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.model.ArchiveReason;
import io.ashbysync.ashby.model.CommunicationTemplate;
import io.ashbysync.ashby.model.InterviewStage;
import io.ashbysync.command.CommandFailedException;
import io.ashbysync.platform.TtlCache;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Archive reasons, communication templates and interview stages of a tenant, cached: a bulk rejection looks them up
 * once, not once per application. A lookup that misses reloads once before it fails, so a reason created a minute
 * ago is still found.
 */
@ApplicationScoped
public class HiringData {
    private final TtlCache<List<ArchiveReason>> reasons;
    private final TtlCache<List<CommunicationTemplate>> templates;
    private final TtlCache<List<InterviewStage>> stages;

    public HiringData(ApplicationsConfig config) {
        this.reasons = new TtlCache<>(config.cacheTtl(), Clock.systemUTC());
        this.templates = new TtlCache<>(config.cacheTtl(), Clock.systemUTC());
        this.stages = new TtlCache<>(config.cacheTtl(), Clock.systemUTC());
    }

    /** By id, or by its text (case and surrounding spaces ignored); archived reasons are not offered by Ashby's UI either. */
    public ArchiveReason archiveReason(AshbySession ashby, String id, String text) {
        Function<List<ArchiveReason>, Optional<ArchiveReason>> find = all -> all.stream()
                .filter(r -> !r.isArchived())
                .filter(r -> id != null ? r.id().equals(id) : r.text().trim().equalsIgnoreCase(text.trim()))
                .findFirst();
        return lookup(reasons, ashby.tenantId(), () -> ashby.callForList(AshbyEndpoint.ARCHIVE_REASON_LIST, Map.of(), ArchiveReason.class), find)
                .orElseThrow(() -> new CommandFailedException("archive_reason_not_found", id != null
                        ? "Ashby has no active archive reason with id " + id
                        : "Ashby has no active archive reason with the text '" + text + "'"));
    }

    /** Only a non-archived template intended for email can go with a rejection (Ashby's rule). */
    public CommunicationTemplate emailTemplate(AshbySession ashby, String id) {
        CommunicationTemplate template = lookup(templates, ashby.tenantId(),
                () -> ashby.callForList(AshbyEndpoint.COMMUNICATION_TEMPLATE_LIST, Map.of(), CommunicationTemplate.class),
                all -> all.stream().filter(t -> t.id().equals(id)).findFirst())
                .orElseThrow(() -> new CommandFailedException("communication_template_not_allowed",
                        "communication template " + id + " does not exist or is archived, so it cannot be sent with a rejection"));
        if (template.intendedTypes() == null || !template.intendedTypes().contains("email")) {
            throw new CommandFailedException("communication_template_not_allowed",
                    "communication template '" + template.title() + "' is not an email template, so it cannot be sent with a rejection");
        }
        return template;
    }

    /** The plan's stages in plan order. */
    public List<InterviewStage> stages(AshbySession ashby, String interviewPlanId) {
        return stages.get(ashby.tenantId() + "|" + interviewPlanId, () -> ashby.callForList(AshbyEndpoint.INTERVIEW_STAGE_LIST,
                        Map.of("interviewPlanId", interviewPlanId), InterviewStage.class).stream()
                .sorted(Comparator.comparingInt(InterviewStage::orderInInterviewPlan)).toList());
    }

    public Optional<InterviewStage> archivedStage(AshbySession ashby, String interviewPlanId) {
        return stages(ashby, interviewPlanId).stream().filter(InterviewStage::isArchived).findFirst();
    }

    private static <T> Optional<T> lookup(TtlCache<List<T>> cache, String tenantId, java.util.function.Supplier<List<T>> load,
                                          Function<List<T>, Optional<T>> find) {
        Optional<T> found = find.apply(cache.get(tenantId, load));
        if (found.isEmpty()) {
            cache.invalidate(tenantId);
            found = find.apply(cache.get(tenantId, load));
        }
        return found;
    }
}
