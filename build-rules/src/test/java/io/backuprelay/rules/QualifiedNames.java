package io.backuprelay.rules;

import com.github.javaparser.ast.ImportDeclaration;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.PackageDeclaration;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.FieldAccessExpr;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Types are imported, not written out with their package in the code ({@code java.util.List.of()}): a reader
 * sees a file's dependencies at its top. Where two types share a simple name, one of them may be qualified;
 * those lines are the exceptions a reviewer would accept, so there are none yet.
 */
final class QualifiedNames implements Rule {

    /** A package path (lower-case segments) followed by a type name (upper case, with a lower-case letter). */
    private static final Pattern QUALIFIED_TYPE =
            Pattern.compile("^(java|javax|jakarta|org|com|io|net|ch|kafka|software|reactor)(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*[a-z]\\w*$");

    @Override
    public List<String> violations(List<SourceFile> files) {
        List<String> found = new ArrayList<>();
        for (SourceFile file : files) {
            Set<Integer> lines = new TreeSet<>();
            for (ClassOrInterfaceType type : file.unit().findAll(ClassOrInterfaceType.class)) {
                if (outsideHeader(type) && type.getScope().isPresent()
                        && QUALIFIED_TYPE.matcher(type.asString().replaceAll("<.*", "")).matches()) {
                    lines.add(line(type));
                }
            }
            for (FieldAccessExpr access : file.unit().findAll(FieldAccessExpr.class)) {
                if (outsideHeader(access) && QUALIFIED_TYPE.matcher(access.toString()).matches()) {
                    lines.add(line(access));
                }
            }
            for (AnnotationExpr annotation : file.unit().findAll(AnnotationExpr.class)) {
                if (QUALIFIED_TYPE.matcher(annotation.getNameAsString()).matches()) {
                    lines.add(line(annotation));
                }
            }
            lines.forEach(line -> found.add(file.relativePath() + ":" + line + " names a type with its package; import it"));
        }
        return found;
    }

    private static boolean outsideHeader(Node node) {
        return node.findAncestor(ImportDeclaration.class).isEmpty()
                && node.findAncestor(PackageDeclaration.class).isEmpty();
    }

    private static int line(Node node) {
        return node.getBegin().map(position -> position.line).orElse(0);
    }
}
