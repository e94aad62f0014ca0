package io.backuprelay.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DefinerFilterTest {

    private static final String DUMP = """
            /*!50001 CREATE ALGORITHM=UNDEFINED */
            /*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */
            /*!50001 VIEW `Café ``Ops```.`big` AS select 1 AS `x` */;
            INSERT INTO `notes` VALUES (1,'keep DEFINER=`root`@`localhost` as written, ñandú');
            /*!50003 CREATE*/ /*!50017 DEFINER=`app``user`@`%`*/ /*!50003 TRIGGER `t` BEFORE INSERT ON `notes` FOR EACH ROW SET NEW.id = NEW.id */;;
            CREATE DEFINER=`root`@`127.0.0.1` PROCEDURE `Año` ()
            BEGIN SELECT 'DEFINER=`inside`@`body`'; END ;;
            /*!50106 CREATE*/ /*!50117 DEFINER=`root`@`localhost`*/ /*!50106 EVENT `e` ON SCHEDULE EVERY 1 DAY DO SELECT 1 */ ;;
            """;

    @Test
    void definersOfStatementsBecomeTheCurrentUserAndRowDataIsUntouched() throws IOException {
        String filtered = filtered(DUMP.getBytes(StandardCharsets.UTF_8), 8192);

        assertThat(filtered).doesNotContain("DEFINER=`root`@`localhost` SQL", "DEFINER=`app``user`@`%`",
                "DEFINER=`root`@`127.0.0.1`", "/*!50117 DEFINER=`root`");
        assertThat(filtered).contains("/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */",
                "/*!50017 DEFINER=CURRENT_USER*/", "CREATE DEFINER=CURRENT_USER PROCEDURE `Año` ()",
                "/*!50117 DEFINER=CURRENT_USER*/", "VIEW `Café ``Ops```.`big`");
        assertThat(filtered).as("a row's text is data").contains(
                "INSERT INTO `notes` VALUES (1,'keep DEFINER=`root`@`localhost` as written, ñandú');");
        assertThat(filtered.lines().count()).isEqualTo(DUMP.lines().count());
    }

    @Test
    void aRowLineLongerThanTheBufferPassesWholeWhateverTheReadSizes() throws IOException {
        String row = "INSERT INTO `t` VALUES " + "(1,'DEFINER=`a`@`b` ñ'),".repeat(20_000) + "(2,'x');\n";
        byte[] dump = ("/*!50013 DEFINER=`root`@`localhost` */\n" + row + "-- end\n").getBytes(StandardCharsets.UTF_8);

        for (int readSize : new int[] {1, 7, 65_536, 1 << 20}) {
            String filtered = filtered(dump, readSize);
            assertThat(filtered).startsWith("/*!50013 DEFINER=CURRENT_USER */\n").endsWith(row + "-- end\n");
        }
    }

    @Test
    void anEmptyDumpAndALastLineWithoutNewlineAreKept() throws IOException {
        assertThat(filtered(new byte[0], 10)).isEmpty();
        assertThat(filtered("SET x=1;\nCREATE DEFINER=`r`@`h` VIEW v AS SELECT 1".getBytes(StandardCharsets.UTF_8), 3))
                .isEqualTo("SET x=1;\nCREATE DEFINER=CURRENT_USER VIEW v AS SELECT 1");
    }

    private static String filtered(byte[] dump, int readSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream filter = new DefinerFilter(new ByteArrayInputStream(dump))) {
            byte[] chunk = new byte[readSize];
            int n;
            while ((n = readSize == 1 ? single(filter, chunk) : filter.read(chunk, 0, chunk.length)) >= 0) {
                out.write(chunk, 0, n);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int single(InputStream in, byte[] chunk) throws IOException {
        int b = in.read();
        if (b < 0) {
            return -1;
        }
        chunk[0] = (byte) b;
        return 1;
    }
}
