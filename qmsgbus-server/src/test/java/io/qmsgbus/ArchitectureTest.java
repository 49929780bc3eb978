package io.qmsgbus;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The server's rooms and the one direction their dependencies point (docs/ARCHITECTURE.md):
 * transport -> post office -> session / routing (and cluster, a router between nodes) -> message /
 * skill / protocol, with auth beside them and config and metrics at the bottom. A class that
 * imports upwards fails here.
 */
class ArchitectureTest {

  private static final JavaClasses SERVER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.qmsgbus");

  private static final String P = "io.qmsgbus.";

  private static ArchRule mayOnlyUse(String room, String... allowed) {
    String[] others =
        java.util.stream.Stream.of(
                "admin",
                "transport",
                "postoffice",
                "session",
                "routing",
                "cluster",
                "store",
                "auth",
                "message",
                "skill",
                "protocol",
                "config",
                "metrics")
            .filter(r -> !r.equals(room) && !java.util.Arrays.asList(allowed).contains(r))
            .map(r -> P + r + "..")
            .toArray(String[]::new);
    return noClasses()
        .that()
        .resideInAPackage(P + room + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(others)
        .because(room + " may only use " + String.join(", ", allowed));
  }

  @Test
  void configAndMetricsDependOnNothingOfTheBus() {
    mayOnlyUse("config").check(SERVER);
    mayOnlyUse("metrics").check(SERVER);
  }

  @Test
  void theDataModelDependsOnlyOnItself() {
    mayOnlyUse("message").check(SERVER);
    mayOnlyUse("skill").check(SERVER);
    mayOnlyUse("protocol", "skill").check(SERVER);
  }

  @Test
  void routingKnowsMessagesAndSkillsOnly() {
    mayOnlyUse("routing", "message", "skill").check(SERVER);
  }

  @Test
  void theSessionNeverReachesUpToThePostOfficeOrTheTransport() {
    mayOnlyUse(
            "session",
            "routing",
            "store",
            "message",
            "skill",
            "protocol",
            "auth",
            "config",
            "metrics")
        .check(SERVER);
  }

  @Test
  void theClusterIsARouterBetweenNodes() {
    mayOnlyUse("cluster", "session", "store", "routing", "message", "skill", "config")
        .check(SERVER);
  }

  @Test
  void onlyTheTransportAndTheAdminKnowTheCluster() {
    noClasses()
        .that()
        .resideOutsideOfPackages(P + "transport..", P + "admin..", P + "cluster..")
        .and()
        .resideInAPackage("io.qmsgbus..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(P + "cluster..")
        .because("the cluster is a router picked at start; the rest sees only Router")
        .check(SERVER);
  }

  @Test
  void theStoreKnowsMessagesOnly() {
    mayOnlyUse("store", "message").check(SERVER);
  }

  @Test
  void thePostOfficeNeverReachesUpToTheTransport() {
    mayOnlyUse(
            "postoffice",
            "session",
            "routing",
            "message",
            "skill",
            "protocol",
            "auth",
            "config",
            "metrics")
        .check(SERVER);
  }

  @Test
  void authKnowsOnlyConfigMetricsAndSkills() {
    mayOnlyUse("auth", "skill", "protocol", "config", "metrics").check(SERVER);
  }

  @Test
  void nothingOnTheDataPathKnowsTheAdminListener() {
    noClasses()
        .that()
        .resideOutsideOfPackage(P + "admin..")
        .and()
        .resideInAPackage("io.qmsgbus..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(P + "admin..")
        .check(SERVER);
  }
}
