package io.backuprelay.rules;

import com.github.javaparser.ast.ImportDeclaration;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.PackageDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.FieldAccessExpr;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Types are imported, not written out with their package in the code ({@code java.util.List.of()}): a reader
 * sees a file's dependencies at its top. Where the simple name is already taken in the file (a type declared in it,
 * or another type imported under that name), the qualified name is the only way and is accepted.
 */
final class QualifiedNames implements Rule {

    /** A package path (lower-case segments) followed by a type name (upper case, with a lower-case letter). */
    private static final Pattern QUALIFIED_TYPE =
            Pattern.compile("^(java|javax|jakarta|org|com|io|net|ch|kafka|software|reactor)(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*[a-z]\\w*$");

    @Override
    public List<String> violations(List<SourceFile> files) {
        List<String> found = new ArrayList<>();
        for (SourceFile file : files) {
            Map<String, String> taken = takenNames(file);
            Set<Integer> lines = new TreeSet<>();
            for (ClassOrInterfaceType type : file.unit().findAll(ClassOrInterfaceType.class)) {
                String qualified = type.asString().replaceAll("<.*", "");
                if (outsideHeader(type) && type.getScope().isPresent() && QUALIFIED_TYPE.matcher(qualified).matches()
                        && !shadowed(taken, type.getNameAsString(), qualified)) {
                    lines.add(line(type));
                }
            }
            for (FieldAccessExpr access : file.unit().findAll(FieldAccessExpr.class)) {
                if (outsideHeader(access) && QUALIFIED_TYPE.matcher(access.toString()).matches()
                        && !shadowed(taken, access.getNameAsString(), access.toString())) {
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

    /** The simple names a file already uses: its own types (marked {@code ""}) and what it imports, by full name. */
    private static Map<String, String> takenNames(SourceFile file) {
        Map<String, String> taken = new HashMap<>();
        file.unit().getImports().stream().filter(i -> !i.isAsterisk() && !i.isStatic())
                .forEach(i -> taken.put(i.getName().getIdentifier(), i.getNameAsString()));
        file.unit().findAll(TypeDeclaration.class).forEach(type -> taken.put(type.getNameAsString(), ""));
        return taken;
    }

    /** Whether the simple name means something else in this file, so the type must be written in full. */
    private static boolean shadowed(Map<String, String> taken, String simpleName, String qualified) {
        String holder = taken.get(simpleName);
        return holder != null && !holder.equals(qualified);
    }

    private static boolean outsideHeader(Node node) {
        return node.findAncestor(ImportDeclaration.class).isEmpty()
                && node.findAncestor(PackageDeclaration.class).isEmpty();
    }

    private static int line(Node node) {
        return node.getBegin().map(position -> position.line).orElse(0);
    }
}
