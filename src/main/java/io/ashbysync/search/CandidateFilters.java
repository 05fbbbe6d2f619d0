package io.ashbysync.search;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The filters of a candidate search. Application filters (job, stage, status, archive reason, source, hiring-team
 * member) must all hold on one and the same application; tag and updatedSince are about the candidate.
 *
 * @param updatedSince the candidate or one of its applications changed at or after this instant
 */
public record CandidateFilters(String job, String stage, String status, String archiveReason, String tag,
                               String hiringTeamMember, String source, Instant updatedSince) {
    public static final List<String> STATUSES = List.of("Active", "Lead", "Hired", "Archived");
    static final List<String> PARAMETERS = List.of("job", "stage", "status", "archiveReason", "tag", "hiringTeamMember",
            "source", "updatedSince", "limit", "cursor");

    public static CandidateFilters none() {
        return new CandidateFilters(null, null, null, null, null, null, null, null);
    }

    /** From query parameters; an unknown parameter or a malformed value is refused, naming it. */
    static CandidateFilters from(Map<String, String> parameters) {
        SearchParameters.onlyKnown(parameters, PARAMETERS);
        return new CandidateFilters(SearchParameters.id(parameters, "job"), SearchParameters.id(parameters, "stage"),
                SearchParameters.oneOf(parameters, "status", STATUSES), SearchParameters.id(parameters, "archiveReason"),
                SearchParameters.id(parameters, "tag"), SearchParameters.id(parameters, "hiringTeamMember"),
                SearchParameters.id(parameters, "source"), SearchParameters.instant(parameters, "updatedSince"));
    }

    boolean filtersApplications() {
        return job != null || stage != null || status != null || archiveReason != null || source != null || hiringTeamMember != null;
    }

    /** Identifies the query, so that a cursor is honoured only with the filters it was issued for. */
    String fingerprint() {
        return Integer.toHexString(toString().hashCode());
    }
}
