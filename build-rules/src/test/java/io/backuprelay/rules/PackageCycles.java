package io.backuprelay.rules;

import com.github.javaparser.ast.ImportDeclaration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * No two of the project's packages depend on each other, directly or around a longer loop: each package sits on a
 * floor above the ones it imports. A loop is reported once, as the packages it passes through.
 */
final class PackageCycles implements Rule {

    private static final String PROJECT = "io.backuprelay.";

    @Override
    public List<String> violations(List<SourceFile> files) {
        Map<String, Set<String>> imports = importsByPackage(files);
        List<String> found = new ArrayList<>();
        Set<String> reported = new TreeSet<>();
        for (String from : imports.keySet()) {
            for (String to : imports.get(from)) {
                List<String> back = path(imports, to, from);
                if (back != null) {
                    Set<String> loop = new TreeSet<>(back);
                    loop.add(from);
                    if (reported.add(loop.toString())) {
                        found.add("packages import each other: " + from + " -> " + String.join(" -> ", back));
                    }
                }
            }
        }
        return found;
    }

    static Map<String, Set<String>> importsByPackage(List<SourceFile> files) {
        Map<String, Set<String>> imports = new TreeMap<>();
        for (SourceFile file : files) {
            String from = file.packageName();
            Set<String> targets = imports.computeIfAbsent(from, name -> new TreeSet<>());
            for (ImportDeclaration declaration : file.unit().getImports()) {
                String target = importedPackage(declaration);
                if (target.startsWith(PROJECT) && !target.equals(from)) {
                    targets.add(target);
                }
            }
        }
        return imports;
    }

    /** The package of an import: the segments before the first upper-case one. */
    static String importedPackage(ImportDeclaration declaration) {
        List<String> segments = new ArrayList<>();
        for (String segment : declaration.getNameAsString().split("\\.")) {
            if (Character.isUpperCase(segment.charAt(0))) {
                break;
            }
            segments.add(segment);
        }
        return String.join(".", segments);
    }

    /** A path of imports from {@code start} to {@code goal} (both included), or null when there is none. */
    private static List<String> path(Map<String, Set<String>> imports, String start, String goal) {
        Map<String, String> cameFrom = new TreeMap<>();
        List<String> queue = new ArrayList<>(List.of(start));
        cameFrom.put(start, start);
        for (int i = 0; i < queue.size(); i++) {
            String current = queue.get(i);
            if (current.equals(goal)) {
                List<String> path = new ArrayList<>();
                for (String step = goal; !step.equals(start); step = cameFrom.get(step)) {
                    path.add(0, step);
                }
                path.add(0, start);
                return path;
            }
            for (String next : imports.getOrDefault(current, Set.of())) {
                if (cameFrom.putIfAbsent(next, current) == null) {
                    queue.add(next);
                }
            }
        }
        return null;
    }
}
