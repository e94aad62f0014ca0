package io.backuprelay.database;

import io.backuprelay.format.inventory.Inventory;
import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.database.ArchiveListing.Listed;
import io.backuprelay.database.DatabaseObject.Identity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchiveListingTest {

    @Test
    void pgRestoreListIdentifiesEveryObjectByCatalogAndOidWhateverItsNameHolds() {
        Listed listed = ArchiveListing.PgRestoreList.parse("""
                ;
                ; Archive created at 2026-11-29 15:13:46 UTC
                7; 2615 16425 SCHEMA - s2 postgres
                8; 2615 16470 SCHEMA - Sales Ops postgres
                9; 2615 16481 SCHEMA - Zürich "Büro" postgres
                2; 3079 16388 EXTENSION - pgcrypto\s
                3411; 0 0 COMMENT - EXTENSION pgcrypto\s
                258; 1255 16447 FUNCTION public f(integer) postgres
                259; 1255 16448 FUNCTION public f(text) postgres
                260; 1255 16449 PROCEDURE public p() postgres
                264; 1255 16518 FUNCTION Ventas Año Total del año(integer, text) postgres
                219; 1259 16431 TABLE public a postgres
                221; 1259 16472 TABLE Sales Ops Orders postgres
                218; 1259 16430 SEQUENCE public a_id_seq postgres
                3412; 0 0 SEQUENCE OWNED BY public a_id_seq postgres
                221; 1259 16443 MATERIALIZED VIEW public mv postgres
                220; 1259 16439 VIEW public va postgres
                3403; 0 16431 TABLE DATA public a postgres
                3443; 0 16472 TABLE DATA Sales Ops Orders postgres
                3413; 0 0 SEQUENCE SET public a_id_seq postgres
                3255; 2620 16451 TRIGGER public a trg postgres
                3298; 2620 16517 TRIGGER Zürich "Büro" order Antes de insertar "sello" postgres
                3404; 0 16443 MATERIALIZED VIEW DATA public mv postgres
                """);

        assertThat(listed.identities()).containsExactlyInAnyOrder(Identity.oid(2615, 16425), Identity.oid(2615, 16470),
                Identity.oid(2615, 16481), Identity.oid(3079, 16388), Identity.oid(1255, 16447),
                Identity.oid(1255, 16448), Identity.oid(1255, 16449), Identity.oid(1255, 16518),
                Identity.oid(1259, 16431), Identity.oid(1259, 16472), Identity.oid(1259, 16430),
                Identity.oid(1259, 16443), Identity.oid(1259, 16439), Identity.oid(2620, 16451),
                Identity.oid(2620, 16517));
        assertThat(listed.rows()).isEmpty();
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
                /*!50003 CREATE*/ /*!50017 DEFINER=`root`@`127.0.0.1`*/ /*!50003 TRIGGER `Antes de ``insertar`` "sello".v2` AFTER INSERT ON `odd``name` FOR EACH ROW SET @x = 1
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

        Listed listed = listing.finish();

        assertThat(listed.rows()).isEqualTo(Map.of("a", 3L, "odd`name", 3L, "empty", 0L));
        assertThat(listed.identities()).containsExactlyInAnyOrder(Identity.named("table", "a"),
                Identity.named("table", "odd`name"), Identity.named("table", "empty"), Identity.named("sequence", "sq"),
                Identity.named("view", "va"), Identity.named("trigger", "trg"),
                Identity.named("trigger", "Antes de `insertar` \"sello\".v2"), Identity.named("event", "ev"),
                Identity.named("function", "f"), Identity.named("procedure", "p"));
    }

    @Test
    void aMariadbStreamReadsNamesWithSpacesBackticksDotsAccentsAndUpperCase() throws Exception {
        String longName = "Tabla de nombre larguísimo " + "ñ".repeat(64 - 27);
        String dump = """
                CREATE SEQUENCE `Número de factura` start with 1 minvalue 1 maxvalue 9223372036854775806 increment by 1 cache 1000 nocycle ENGINE=InnoDB;
                CREATE TABLE `Ventas Año` (
                  `Id Pedido` int(11) NOT NULL AUTO_INCREMENT,
                  `select` varchar(50) DEFAULT NULL
                ) ENGINE=InnoDB;
                INSERT INTO `Ventas Año` VALUES
                (1,'x (y'),
                (2,'a\\'b');
                CREATE TABLE `a``b.c` (`c``d` int);
                INSERT INTO `a``b.c` VALUES (1),(2),(3);
                CREATE TABLE `UPPER Case (paren)` (`id` int);
                CREATE TABLE `%s` (`id` int);
                INSERT INTO `%s` VALUES (7);
                /*!50003 CREATE*/ /*!50017 DEFINER=`root`@`127.0.0.1`*/ /*!50003 TRIGGER `Antes de insertar "sello"` BEFORE INSERT ON `Ventas Año` FOR EACH ROW SET NEW.`order` = 0
                */;;
                /*!50106 CREATE*/ /*!50117 DEFINER=`root`@`127.0.0.1`*/ /*!50106 EVENT `Limpieza Diaria` ON SCHEDULE EVERY 1 DAY DO DELETE FROM `a``b.c` WHERE 1=0
                */ ;;
                CREATE DEFINER=`backup user`@`%%` FUNCTION `Total del año`(x INT) RETURNS int(11)
                RETURN x + 1
                CREATE DEFINER=`root`@`127.0.0.1` PROCEDURE `Cuenta ``Pedidos```()
                SELECT COUNT(*) FROM `Ventas Año`
                /*!50001 VIEW `Pedidos grandes v1.2` AS select `Ventas Año`.`Id Pedido` AS `Id Pedido` from `Ventas Año` */;
                """.formatted(longName, longName);
        ArchiveListing listing = ArchiveListing.sqlStream();
        byte[] bytes = dump.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += 5) {
            listing.accept(bytes, i, Math.min(5, bytes.length - i));
        }

        Listed listed = listing.finish();

        assertThat(listed.rows()).isEqualTo(Map.of("Ventas Año", 2L, "a`b.c", 3L, "UPPER Case (paren)", 0L, longName, 1L));
        assertThat(listed.identities()).containsExactlyInAnyOrder(Identity.named("table", "Ventas Año"),
                Identity.named("table", "a`b.c"), Identity.named("table", "UPPER Case (paren)"),
                Identity.named("table", longName), Identity.named("sequence", "Número de factura"),
                Identity.named("view", "Pedidos grandes v1.2"), Identity.named("trigger", "Antes de insertar \"sello\""),
                Identity.named("event", "Limpieza Diaria"), Identity.named("function", "Total del año"),
                Identity.named("procedure", "Cuenta `Pedidos`"));
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
