package io.backuprelay.common.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RulesTest {

    private static final String AGE_KEY = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    @Test
    void hostsThatADumpToolWouldReadAsAnOptionOrAParameterAreRefused() {
        for (String host : List.of("-V", "--host=x", "db host", "[::1]", "a/b", "")) {
            assertThat(Rules.isHost(host)).as(host).isFalse();
        }
        for (String host : List.of("db.tenant.internal", "10.1.2.3", "2001:db8::1", "Tenant-DB")) {
            assertThat(Rules.isHost(host)).as(host).isTrue();
        }
    }

    @Test
    void addressesTheNotifierWouldRefuseAreRefused() {
        for (String email : List.of("a,b@x.io", "a;b@x.io", "\"a\"@x.io", "a b@x.io", "<a@x.io>", "a@x", "a@@x.io")) {
            assertThat(Rules.isEmail(email)).as(email).isFalse();
        }
        for (String email : List.of("ana@tenant.example", "josé.o'brien+tag@people.example", "Ana.Pérez@acme.example")) {
            assertThat(Rules.isEmail(email)).as(email).isTrue();
        }
    }

    @Test
    void anAgeKeyIsReadAsTheAgeLibraryReadsIt() {
        assertThat(Rules.ageRecipientProblem(AGE_KEY)).isEmpty();
        String badChecksum = AGE_KEY.substring(0, AGE_KEY.length() - 1) + "q";
        assertThat(Rules.ageRecipientProblem(badChecksum)).get().asString().contains("checksum");
        assertThat(Rules.ageRecipientProblem("age1short")).isPresent();
        assertThat(Rules.ageRecipientProblem("ssh-ed25519 AAAA")).get().asString().contains("age1");
        assertThat(Rules.ageRecipientProblem(null)).isPresent();
    }

    @Test
    void namesThatCouldCarryAnOptionOrAPathAreRefused() {
        for (String name : List.of("a.b", "a b", "-x", "../etc", "a\nb", "x".repeat(64))) {
            assertThat(Rules.isSafeName(name)).as(name).isFalse();
        }
        assertThat(Rules.isSafeName("tenant_42$app-1")).isTrue();
    }
}
