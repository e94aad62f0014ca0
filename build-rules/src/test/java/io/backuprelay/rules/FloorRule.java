package io.backuprelay.rules;

import com.github.javaparser.ast.ImportDeclaration;
import java.util.ArrayList;
import java.util.List;

/**
 * A package kept apart from what sits above it: the event contract from the Kafka runtime and the service shell,
 * health types from Kafka. Any import of a forbidden prefix from the package (or its sub-packages) is a finding.
 */
record FloorRule(String packagePrefix, List<String> forbiddenPrefixes, String why) implements Rule {

    @Override
    public List<String> violations(List<SourceFile> files) {
        List<String> found = new ArrayList<>();
        for (SourceFile file : files) {
            if (!file.packageName().equals(packagePrefix) && !file.packageName().startsWith(packagePrefix + ".")) {
                continue;
            }
            for (ImportDeclaration declaration : file.unit().getImports()) {
                String name = declaration.getNameAsString();
                if (forbiddenPrefixes.stream().anyMatch(name::startsWith)) {
                    found.add(file.relativePath() + " imports " + name + ": " + why);
                }
            }
        }
        return found;
    }
}
