package io.ashbysync.ops;

import io.ashbysync.tenant.Quarantine;
import io.ashbysync.tenant.TenantStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The status report as one server-rendered HTML page: no script, every value escaped, refreshes itself. */
final class StatusPage {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private StatusPage() {}

    static String render(StatusReport.Report report) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"30\">")
                .append("<title>ashby-sync status</title><style>")
                .append("body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
                .append("table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d5d9e0;padding:4px 8px;text-align:left}")
                .append("th{background:#f3f5f8}.ok{color:#11703a}.warn{color:#9a5b00}.bad{color:#b3261e;font-weight:600}")
                .append(".hint{background:#fff4e0;padding:4px 8px;margin:2px 0;border-left:3px solid #e0a030}")
                .append("</style></head><body>");
        h.append("<h1>ashby-sync status</h1><p>Generated ").append(time(report.generatedAt())).append(" · ")
                .append(report.tenants().size()).append(" tenant(s)</p>");
        h.append("<h2>Queues</h2><table id=\"queues\"><tr><th>queue</th><th>waiting</th><th>in flight</th><th>delayed</th></tr>");
        for (StatusReport.Queue q : report.queues()) {
            String css = q.deadLetter() && q.visible() > 0 ? "bad" : "";
            h.append("<tr class=\"").append(css).append("\"><td>").append(esc(q.name())).append("</td><td>").append(q.visible())
                    .append("</td><td>").append(q.inFlight()).append("</td><td>").append(q.delayed()).append("</td></tr>");
        }
        h.append("</table>");
        if (!report.unreadableTenants().isEmpty()) {
            h.append("<h2>Tenants whose config cannot be read</h2><table class=\"unreadable\"><tr><th>tenant</th><th>since</th><th>why</th></tr>");
            for (TenantStore.UnreadableConfig u : report.unreadableTenants()) {
                h.append("<tr><td>").append(esc(u.tenantId())).append("</td><td>").append(time(u.at())).append("</td><td class=\"bad\">")
                        .append(esc(u.reason())).append("</td></tr>");
            }
            h.append("</table>");
        }
        for (StatusReport.Tenant t : report.tenants()) tenant(h, t);
        return h.append("</body></html>").toString();
    }

    private static void tenant(StringBuilder h, StatusReport.Tenant t) {
        h.append("<section class=\"tenant\" data-tenant=\"").append(esc(t.tenantId())).append("\"><h2>Tenant ")
                .append(esc(t.tenantId())).append(" <span class=\"").append(t.status().equals("ACTIVE") ? "ok" : "warn").append("\">")
                .append(esc(t.status())).append("</span></h2>");
        h.append("<table class=\"summary\">");
        row(h, "phase", t.phase() == null ? "never synced" : t.phase());
        row(h, "last success", time(t.lastSuccessAt()));
        row(h, "lag", t.lagSeconds() == null ? "—" : duration(t.lagSeconds()));
        row(h, "this run", t.runStartedAt() == null ? "—" : t.recordsThisRun() + " records since " + time(t.runStartedAt())
                + " (" + t.recordsPerMinute() + "/min)");
        row(h, "candidate pass", t.candidatesInPass() + " in this pass, " + t.candidatesLastFullPass() + " in the last full pass");
        if (t.etaSeconds() != null) row(h, "backfill ETA", duration(t.etaSeconds()));
        row(h, "last error", t.lastError() == null ? "none" : time(t.lastErrorAt()) + ": " + t.lastError());
        row(h, "budget", t.requestsPerMinute() + " Ashby requests/min");
        h.append("</table>");
        for (String hint : t.hints()) h.append("<div class=\"hint\">").append(esc(hint)).append("</div>");
        h.append("<table class=\"streams\"><tr><th>stream</th><th>records (this/last pass)</th><th>last full pass records</th><th>last full pass</th><th>state</th><th>last success</th></tr>");
        for (StatusReport.Stream s : t.streams()) {
            h.append("<tr><td>").append(esc(s.name())).append("</td><td>").append(s.records()).append("</td><td>").append(s.lastFullCount())
                    .append("</td><td>").append(time(s.lastFullAt())).append("</td><td>").append(s.inPass() ? "in pass" : "idle")
                    .append("</td><td>").append(time(s.lastSuccessAt())).append("</td></tr>");
        }
        h.append("</table>");
        List<StatusReport.Webhook> hooks = t.webhooks();
        h.append("<table class=\"webhooks\"><tr><th>webhook</th><th>enabled</th><th>checked</th><th>last delivery</th><th>deliveries</th></tr>");
        for (StatusReport.Webhook w : hooks) {
            h.append("<tr><td>").append(esc(w.webhookType())).append("</td><td class=\"").append(w.enabled() ? "ok\">yes" : "bad\">no")
                    .append("</td><td>").append(time(w.checkedAt())).append("</td><td>").append(time(w.lastDeliveryAt()))
                    .append("</td><td").append(w.silent() ? " class=\"bad\">silent" : ">—").append("</td></tr>");
        }
        h.append("</table>");
        if (!t.quarantined().isEmpty()) {
            h.append("<table class=\"quarantined\"><tr><th>set aside</th><th>item</th><th>since</th><th>why</th></tr>");
            for (Quarantine.Item q : t.quarantined()) {
                h.append("<tr><td>").append(esc(q.source())).append("</td><td>").append(esc(q.itemId())).append("</td><td>")
                        .append(time(q.at())).append("</td><td>").append(esc(q.reason())).append("</td></tr>");
            }
            h.append("</table>");
        }
        h.append("</section>");
    }

    private static void row(StringBuilder h, String name, String value) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>");
    }

    private static String time(Instant at) {
        return at == null ? "—" : TIME.format(at);
    }

    static String duration(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        if (d.toHours() > 0) return d.toHours() + " h " + d.toMinutesPart() + " min";
        if (d.toMinutes() > 0) return d.toMinutes() + " min " + d.toSecondsPart() + " s";
        return seconds + " s";
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
