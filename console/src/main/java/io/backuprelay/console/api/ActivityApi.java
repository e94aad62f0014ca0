package io.backuprelay.console.api;

import io.backuprelay.common.activity.ActivityIds;
import io.backuprelay.console.activity.ActivityLog;
import io.javalin.http.Context;

/**
 * The activity log on the API: an account's, for its super-administrator, and every account's, for
 * the operators. Newest first, {@code limit} entries a page (50 unless said, at most 200), the
 * next page asked for with the answer's {@code next} as {@code before}.
 */
public final class ActivityApi {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private final ActivityLog activity;

    public ActivityApi(ActivityLog activity) {
        this.activity = activity;
    }

    /** {@code GET /api/accounts/{accountId}/activity?limit=&before=}. */
    public void account(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Requests.superadminOf(ctx, accountId);
        ctx.json(activity.page(accountId, before(ctx), limit(ctx)));
    }

    /** {@code GET /api/operator/activity?limit=&before=&account=}: every account's, or one's. */
    public void operator(Context ctx) {
        Requests.operator(ctx);
        String account = ctx.queryParam("account");
        ctx.json(activity.all(account == null || account.isEmpty() ? null : Validate.identifier("account", account),
                before(ctx), limit(ctx)));
    }

    private static String before(Context ctx) {
        String before = ctx.queryParam("before");
        if (before == null || before.isEmpty()) {
            return null;
        }
        if (!ActivityIds.isId(before)) {
            throw ApiException.invalid("before", "must be the next cursor of a previous page (an entry id)");
        }
        return before;
    }

    private static int limit(Context ctx) {
        String limit = ctx.queryParam("limit");
        if (limit == null || limit.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw ApiException.invalid("limit", "must be a whole number from 1 to " + MAX_LIMIT);
    }
}
