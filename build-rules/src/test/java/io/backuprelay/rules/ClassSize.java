package io.backuprelay.rules;

import java.util.List;
import java.util.Set;

/**
 * No file of production code past {@value #MAX_LINES} lines: a class that long holds more than one job.
 * Route tables (a list of routes and nothing else) may be longer; they are named here with the reason.
 */
final class ClassSize implements Rule {

    static final int MAX_LINES = 400;

    private final Set<String> routeTables;

    ClassSize(Set<String> routeTables) {
        this.routeTables = routeTables;
    }

    @Override
    public List<String> violations(List<SourceFile> files) {
        return files.stream()
                .filter(file -> file.lineCount() > MAX_LINES && !routeTables.contains(file.relativePath()))
                .map(file -> file.relativePath() + " has " + file.lineCount() + " lines (at most " + MAX_LINES + ")")
                .toList();
    }
}
