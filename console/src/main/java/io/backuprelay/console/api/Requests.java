package io.backuprelay.console.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.ViewUnavailableException;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.console.data.ViewPosition;
import io.backuprelay.console.auth.Principal;
import io.backuprelay.console.auth.Role;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reading requests strictly: unknown fields, wrong types and malformed JSON are 400s that name the field. */
public final class Requests {

    public static final String PRINCIPAL = "principal";
    private static final ObjectMapper STRICT = Json.mapper().copy()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static {
        // Deeply nested or huge values are refused by the parser before they cost memory or stack.
        STRICT.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(16).maxStringLength(16_384).maxNumberLength(32).build());
    }

    private Requests() {
    }

    /** Where the capped reader leaves the body (see {@link #readCapped}). */
    static final String BODY = "cappedBody";

    /**
     * Reads the request's body, whatever its transfer encoding, up to {@code max} bytes; a longer one
     * is refused with 413 as soon as byte {@code max + 1} arrives, the rest unread.
     */
    public static void readCapped(Context ctx, int max) throws IOException {
        byte[] read = ctx.req().getInputStream().readNBytes(max + 1);
        if (read.length > max) {
            throw ApiException.tooLarge("body must be at most " + max + " bytes");
        }
        ctx.attribute(BODY, new String(read, StandardCharsets.UTF_8));
    }

    /** The body read by {@link #readCapped}; empty when there is none. */
    public static String rawBody(Context ctx) {
        String body = ctx.attribute(BODY);
        return body == null ? "" : body;
    }

    public static <T> T body(Context ctx, Class<T> type) {
        String body = rawBody(ctx);
        if (body.isBlank()) {
            throw ApiException.invalid("body", "is required: send a JSON object");
        }
        try {
            T value = STRICT.readValue(body, type);
            if (value == null) {
                throw ApiException.invalid("body", "must be a JSON object");
            }
            return value;
        } catch (StreamConstraintsException e) {
            throw ApiException.invalid("body", "is nested too deeply or holds a value too long");
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.invalid(path(e), "is not a known field");
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamConstraintsException) {
                throw ApiException.invalid("body", "is nested too deeply or holds a value too long");
            }
            String field = path(e);
            throw ApiException.invalid(field.isEmpty() ? "body" : field, "has the wrong type or an unknown value");
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("body", "is not valid JSON");
        }
    }

    /** The position the client presented ({@link ViewPosition#HEADER}), if any; a malformed one is a 400. */
    public static Optional<ViewPosition> position(Context ctx) {
        try {
            return ViewPosition.parse(ctx.header(ViewPosition.HEADER));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(ViewPosition.HEADER, e.getMessage());
        }
    }

    /**
     * Before a read: waits until the views have read what the client wrote (the position it
     * presented), and no longer; a read without one answers at once from memory.
     */
    public static void readYourWrites(Context ctx, ConsoleData data) {
        try {
            data.readAfter(position(ctx).orElse(null), ctx.pathParamMap().get("accountId"));
        } catch (ConsoleData.PositionUnknownException e) {
            throw ApiException.invalid(ViewPosition.HEADER, e.getMessage());
        } catch (ViewUnavailableException e) {
            throw ApiException.unavailable(e.getMessage() + "; try again in a moment", 1).key("unavailable");
        }
    }

    /** After a write: answers with the client's position merged with the write's. */
    public static void wrote(Context ctx, ViewPosition written) {
        ctx.header(ViewPosition.HEADER, written.merge(position(ctx).orElse(null)).toString());
    }

    /** The caller, when it is the super-administrator of this account; else 403. */
    public static Principal superadminOf(Context ctx, String accountId) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null || principal.role() != Role.SUPERADMIN) {
            throw ApiException.forbidden("Only the account's superadmin may do this");
        }
        if (!principal.accountId().equals(accountId)) {
            throw ApiException.forbidden("This token is for account '" + principal.accountId() + "', not '" + accountId + "'");
        }
        return principal;
    }

    /** The caller, as its token says (every {@code /api} request has one). */
    public static Principal principal(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    public static Principal operator(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null || principal.role() != Role.OPERATOR) {
            throw ApiException.forbidden("Only an operator may do this");
        }
        return principal;
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
