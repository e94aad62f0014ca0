package io.backuprelay.rules;

import com.github.javaparser.ast.body.CallableDeclaration;
import java.util.ArrayList;
import java.util.List;

/**
 * No method or constructor declares more than {@value #MAX_PARAMETERS} parameters: a longer list is a value
 * waiting to be named. A record's components are its fields, not a call's arguments, and are not counted; an
 * explicit constructor or factory of a record is.
 */
final class ParameterCount implements Rule {

    static final int MAX_PARAMETERS = 7;

    @Override
    public List<String> violations(List<SourceFile> files) {
        List<String> found = new ArrayList<>();
        for (SourceFile file : files) {
            for (CallableDeclaration<?> callable : file.unit().findAll(CallableDeclaration.class)) {
                int count = callable.getParameters().size();
                if (count > MAX_PARAMETERS) {
                    found.add(file.relativePath() + ":" + line(callable) + " " + callable.getNameAsString()
                            + " takes " + count + " parameters (at most " + MAX_PARAMETERS + ")");
                }
            }
        }
        return found;
    }

    private static int line(CallableDeclaration<?> callable) {
        return callable.getBegin().map(position -> position.line).orElse(0);
    }
}
