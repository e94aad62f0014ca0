package io.backuprelay.dump.runner;

import java.sql.SQLException;

/** What a failed database connection means, in a few words, whichever engine's driver reported it. */
public final class ConnectionProblems {

    private ConnectionProblems() {
    }

    /** "connection refused", "unknown host", "no answer within N seconds", or the driver's first line. */
    public static String describe(SQLException e, int timeoutSeconds) {
        Throwable cause = e.getCause();
        String text = e.getMessage() + (cause == null ? "" : " " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
        if (text.contains("Connection refused")) {
            return "connection refused";
        }
        if (text.contains("UnknownHost")) {
            return "unknown host";
        }
        if (text.contains("timed out") || text.contains("Timeout") || text.contains("timeout")) {
            return "no answer within " + timeoutSeconds + " seconds";
        }
        return firstLine(e.getMessage());
    }

    public static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
