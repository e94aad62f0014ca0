package io.backuprelay.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchiveListingTest {

    @Test
    void pgRestoreListNamesEveryObjectButTheDefaultsEveryDatabaseHas() {
        Inventory listed = ArchiveListing.PgRestoreList.parse("""
                ;
                ; Archive created at 2026-11-29 15:13:46 UTC
                7; 2615 16425 SCHEMA - s2 postgres
                2; 3079 16388 EXTENSION - pgcrypto\s
                3411; 0 0 COMMENT - EXTENSION pgcrypto\s
                258; 1255 16447 FUNCTION public f(integer) postgres
                259; 1255 16448 FUNCTION public f(text) postgres
                260; 1255 16449 PROCEDURE public p() postgres
                219; 1259 16431 TABLE public a postgres
                218; 1259 16430 SEQUENCE public a_id_seq postgres
                3412; 0 0 SEQUENCE OWNED BY public a_id_seq postgres
                221; 1259 16443 MATERIALIZED VIEW public mv postgres
                220; 1259 16439 VIEW public va postgres
                216; 1259 16426 TABLE s2 t postgres
                3403; 0 16431 TABLE DATA public a postgres
                3413; 0 0 SEQUENCE SET public a_id_seq postgres
                3255; 2620 16451 TRIGGER public a trg postgres
                3404; 0 16443 MATERIALIZED VIEW DATA public mv postgres
                """);

        assertThat(listed).isEqualTo(new Inventory(List.of("s2"),
                Map.of("public.a", Inventory.NOT_COUNTED, "s2.t", Inventory.NOT_COUNTED), List.of("public.mv", "public.va"),
                List.of("public.a_id_seq"), List.of("public.f", "public.p"), List.of("public.a.trg"), List.of(),
                List.of("pgcrypto")));
    }

    @Test
    void aMariadbStreamIsListedAndItsRowsCountedInBothInsertLayouts() throws Exception {
        String dump = """
                /*M!999999\\- enable the sandbox mode */\s
                CREATE SEQUENCE `sq` start with 1 minvalue 1 maxvalue 9223372036854775806 increment by 1 cache 1000 nocycle ENGINE=InnoDB;
                CREATE TABLE `a` (
                  `id` int(11) NOT NULL,
                  `v` text DEFAULT NULL
                ) ENGINE=InnoDB;
                INSERT INTO `a` VALUES
                (1,'x'),
                (2,'a (quoted; \\') paren'),
                (3,NULL);
                CREATE TABLE `odd``name` (`id` int);
                INSERT INTO `odd``name` VALUES (1),(2);
                INSERT INTO `odd``name` VALUES (3);
                CREATE TABLE `empty` (`id` int);
                /*!50003 CREATE*/ /*!50017 DEFINER=`root`@`127.0.0.1`*/ /*!50003 TRIGGER trg BEFORE INSERT ON a FOR EACH ROW SET NEW.v = 'z'
                */;;
                /*!50001 CREATE VIEW `va` AS SELECT
                 NULL AS `id` */;
                /*!50106 CREATE*/ /*!50117 DEFINER=`root`@`127.0.0.1`*/ /*!50106 EVENT `ev` ON SCHEDULE EVERY 1 DAY DO SELECT 1 */ ;;
                CREATE DEFINER=`root`@`127.0.0.1` FUNCTION `f`(i int) RETURNS int(11)
                RETURN i
                CREATE DEFINER=`root`@`127.0.0.1` PROCEDURE `p`()
                /*!50001 VIEW `va` AS select `a`.`id` AS `id` from `a` */;
                """;
        ArchiveListing listing = ArchiveListing.sqlStream();
        byte[] bytes = dump.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += 7) { // in small pieces, as a stream arrives
            listing.accept(bytes, i, Math.min(7, bytes.length - i));
        }

        Inventory listed = listing.finish();

        assertThat(listed.tables()).isEqualTo(Map.of("a", 3L, "odd`name", 3L, "empty", 0L));
        assertThat(listed.sequences()).containsExactly("sq");
        assertThat(listed.views()).containsExactly("va");
        assertThat(listed.triggers()).containsExactly("a.trg");
        assertThat(listed.events()).containsExactly("ev");
        assertThat(listed.routines()).containsExactly("f", "p");
    }

    @Test
    void whatOneInventoryLacksIsNamedWithRowDifferences() {
        Inventory backup = new Inventory(null, Map.of("public.a", 10L, "public.b", 3L), List.of("public.v"), null,
                List.of("public.f"), null, null, null);
        Inventory restored = new Inventory(null, Map.of("public.a", 9L, "public.b", 3L), List.of(), null,
                List.of("public.f", "public.extra"), null, null, null);

        assertThat(backup.missingFrom(restored, false)).containsExactly("view public.v");
        assertThat(backup.missingFrom(restored, true))
                .containsExactly("view public.v", "rows of public.a: 10 in the backup, 9 restored");
        assertThat(backup.summary()).isEqualTo("2 tables (13 rows), 1 view, 1 routine");
    }
}
