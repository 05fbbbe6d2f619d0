package io.ashbysync.ashby;

/**
 * The Ashby endpoints the product calls, described as data: path, the key permission it needs, whether it writes
 * (decides the retry rule) and how it pages. Permissions follow ashby-api.md section 1.
 */
public enum AshbyEndpoint {
    API_KEY_INFO("apiKey.info", "apiKeysRead", Kind.READ, Paging.NONE),

    CANDIDATE_CREATE("candidate.create", "candidatesWrite", Kind.WRITE, Paging.NONE),
    CANDIDATE_UPDATE("candidate.update", "candidatesWrite", Kind.WRITE, Paging.NONE),
    CANDIDATE_INFO("candidate.info", "candidatesRead", Kind.READ, Paging.NONE),
    CANDIDATE_LIST("candidate.list", "candidatesRead", Kind.READ, Paging.SYNC_TOKEN),
    CANDIDATE_SEARCH("candidate.search", "candidatesRead", Kind.READ, Paging.NONE),
    CANDIDATE_ADD_TAG("candidate.addTag", "candidatesWrite", Kind.WRITE, Paging.NONE),
    CANDIDATE_CREATE_NOTE("candidate.createNote", "candidatesWrite", Kind.WRITE, Paging.NONE),
    CANDIDATE_LIST_NOTES("candidate.listNotes", "candidatesRead", Kind.READ, Paging.SYNC_TOKEN),
    CANDIDATE_UPLOAD_RESUME("candidate.uploadResume", "candidatesWrite", Kind.WRITE, Paging.NONE),
    CANDIDATE_UPLOAD_FILE("candidate.uploadFile", "candidatesWrite", Kind.WRITE, Paging.NONE),
    CANDIDATE_ADD_PROJECT("candidate.addProject", "candidatesWrite", Kind.WRITE, Paging.NONE),
    CANDIDATE_TAG_CREATE("candidateTag.create", "hiringProcessMetadataWrite", Kind.WRITE, Paging.NONE),
    CANDIDATE_TAG_LIST("candidateTag.list", "hiringProcessMetadataRead", Kind.READ, Paging.SYNC_TOKEN),

    APPLICATION_CREATE("application.create", "candidatesWrite", Kind.WRITE, Paging.NONE),
    APPLICATION_INFO("application.info", "candidatesRead", Kind.READ, Paging.NONE),
    APPLICATION_LIST("application.list", "candidatesRead", Kind.READ, Paging.SYNC_TOKEN),
    APPLICATION_CHANGE_STAGE("application.changeStage", "candidatesWrite", Kind.WRITE, Paging.NONE),
    APPLICATION_LIST_HISTORY("application.listHistory", "candidatesRead", Kind.READ, Paging.CURSOR),
    APPLICATION_UPDATE("application.update", "candidatesWrite", Kind.WRITE, Paging.NONE),

    JOB_LIST("job.list", "jobsRead", Kind.READ, Paging.SYNC_TOKEN),
    JOB_INFO("job.info", "jobsRead", Kind.READ, Paging.NONE),
    JOB_POSTING_LIST("jobPosting.list", "jobsRead", Kind.READ, Paging.NONE),
    JOB_POSTING_INFO("jobPosting.info", "jobsRead", Kind.READ, Paging.NONE),
    INTERVIEW_PLAN_LIST("interviewPlan.list", "interviewsRead", Kind.READ, Paging.SYNC_TOKEN),
    INTERVIEW_STAGE_LIST("interviewStage.list", "interviewsRead", Kind.READ, Paging.NONE),

    ARCHIVE_REASON_LIST("archiveReason.list", "hiringProcessMetadataRead", Kind.READ, Paging.NONE),
    COMMUNICATION_TEMPLATE_LIST("communicationTemplate.list", "hiringProcessMetadataRead", Kind.READ, Paging.NONE),
    CUSTOM_FIELD_LIST("customField.list", "hiringProcessMetadataRead", Kind.READ, Paging.SYNC_TOKEN),
    CUSTOM_FIELD_SET_VALUES("customField.setValues", "candidatesWrite", Kind.WRITE, Paging.NONE),
    SOURCE_LIST("source.list", "hiringProcessMetadataRead", Kind.READ, Paging.NONE),

    USER_LIST("user.list", "organizationRead", Kind.READ, Paging.SYNC_TOKEN),
    USER_SEARCH("user.search", "organizationRead", Kind.READ, Paging.NONE),
    DEPARTMENT_LIST("department.list", "organizationRead", Kind.READ, Paging.SYNC_TOKEN),
    LOCATION_LIST("location.list", "organizationRead", Kind.READ, Paging.SYNC_TOKEN),
    HIRING_TEAM_ROLE_LIST("hiringTeamRole.list", "organizationRead", Kind.READ, Paging.NONE),
    PROJECT_LIST("project.list", "candidatesRead", Kind.READ, Paging.SYNC_TOKEN),

    FILE_CREATE_UPLOAD_HANDLE("file.createFileUploadHandle", "candidatesWrite", Kind.WRITE, Paging.NONE),
    FILE_INFO("file.info", "candidatesRead", Kind.READ, Paging.NONE),

    WEBHOOK_CREATE("webhook.create", "apiKeysWrite", Kind.WRITE, Paging.NONE),
    WEBHOOK_INFO("webhook.info", "apiKeysRead", Kind.READ, Paging.NONE),
    WEBHOOK_UPDATE("webhook.update", "apiKeysWrite", Kind.WRITE, Paging.NONE),
    WEBHOOK_DELETE("webhook.delete", "apiKeysWrite", Kind.WRITE, Paging.NONE);

    public enum Kind { READ, WRITE }

    /** NONE: one response holds everything; CURSOR: cursor pages; SYNC_TOKEN: cursor pages plus incremental sync. */
    public enum Paging { NONE, CURSOR, SYNC_TOKEN }

    private final String path;
    private final String permission;
    private final Kind kind;
    private final Paging paging;

    AshbyEndpoint(String path, String permission, Kind kind, Paging paging) {
        this.path = path;
        this.permission = permission;
        this.kind = kind;
        this.paging = paging;
    }

    public String path() { return path; }
    public String permission() { return permission; }
    public boolean isWrite() { return kind == Kind.WRITE; }
    public Paging paging() { return paging; }

    @Override
    public String toString() { return path; }
}
