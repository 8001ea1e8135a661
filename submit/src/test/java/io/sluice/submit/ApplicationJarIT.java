package io.sluice.submit;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks the shaded application jar that {@code package} wrote, against the Spark runtime it runs
 * on ({@code target/spark-jars}). Everything here would pass on a plain fat jar built without
 * relocation except on a real cluster; these tests make that difference visible at build time.
 */
class ApplicationJarIT {
  private static final String MAIN_CLASS = "io.sluice.engine.cli.SluiceMain";

  private static JarFile applicationJar;
  private static String shadedPrefix;

  @BeforeAll
  static void openJar() throws IOException {
    applicationJar = new JarFile(Path.of(property("sluice.application.jar")).toFile());
    shadedPrefix = property("sluice.shaded.prefix").replace('.', '/') + "/";
  }

  @AfterAll
  static void closeJar() throws IOException {
    applicationJar.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "com/google/protobuf/",
        "com/google/common/",
        "com/google/thirdparty/",
        "com/google/gson/",
        "org/yaml/snakeyaml/"
      })
  void relocatedPackagesAreOnlyPresentUnderTheShadedPrefix(String packagePath) {
    List<String> unrelocated =
        entryNames()
            .filter(name -> withoutVersionPrefix(name).startsWith(packagePath))
            .collect(Collectors.toList());

    assertThat(unrelocated).as("entries left unrelocated under %s", packagePath).isEmpty();
    assertThat(entryNames().filter(name -> name.startsWith(shadedPrefix + packagePath)))
        .as("relocated classes of %s", packagePath)
        .isNotEmpty();
  }

  @Test
  void feastClassesReferenceOnlyTheRelocatedProtobuf() {
    List<String> feastClasses =
        entryNames()
            .filter(name -> name.startsWith("feast/proto/") && name.endsWith(".class"))
            .collect(Collectors.toList());
    assertThat(feastClasses).as("Feast classes in the application jar").hasSizeGreaterThan(100);

    Map<String, List<String>> unrelocatedReferences = new TreeMap<>();
    for (String feastClass : feastClasses) {
      List<String> bad =
          utf8Constants(read(feastClass)).stream()
              .filter(ApplicationJarIT::referencesUnrelocatedProtobuf)
              .collect(Collectors.toList());
      if (!bad.isEmpty()) {
        unrelocatedReferences.put(feastClass, bad);
      }
    }
    assertThat(unrelocatedReferences)
        .as("Feast classes referring to com.google.protobuf")
        .isEmpty();

    assertThat(utf8Constants(read("feast/proto/types/ValueProto$Value.class")))
        .as("constants of ValueProto$Value")
        .contains(shadedPrefix + "com/google/protobuf/GeneratedMessageV3");
  }

  @Test
  void noClassOfSparksRuntimeIsBundled() throws IOException {
    Set<String> bundledClasses =
        entryNames()
            .filter(name -> name.endsWith(".class") && !name.startsWith("META-INF/"))
            .collect(Collectors.toSet());

    Map<String, List<String>> duplicatesBySparkJar = new TreeMap<>();
    for (Path sparkJar : sparkJars()) {
      try (JarFile jar = new JarFile(sparkJar.toFile())) {
        List<String> duplicates =
            jar.stream()
                .map(ZipEntry::getName)
                .filter(bundledClasses::contains)
                .limit(3)
                .collect(Collectors.toList());
        if (!duplicates.isEmpty()) {
          duplicatesBySparkJar.put(sparkJar.getFileName().toString(), duplicates);
        }
      }
    }

    assertThat(duplicatesBySparkJar)
        .as(
            "classes Spark already provides (exclude the artifact from the shade plugin's"
                + " artifactSet in submit/pom.xml, or relocate it)")
        .isEmpty();
  }

  /**
   * The DynamoDB client talks over Apache HttpClient 5 (not in Spark's runtime, which has
   * HttpClient 4 and its own Netty): no SDK Netty client and no Netty class of ours may sit next to
   * Spark's, where one of the two copies would lose.
   */
  @Test
  void dynamoDbClientIsApacheHttpClient5WithoutNetty() {
    assertThat(entryNames().filter(name -> name.startsWith("io/netty/"))).isEmpty();
    assertThat(entryNames().filter(name -> name.startsWith("software/amazon/awssdk/http/nio/")))
        .isEmpty();
    assertThat(
            applicationJar.getEntry("software/amazon/awssdk/http/apache5/Apache5HttpClient.class"))
        .isNotNull();
    assertThat(entryNames().filter(name -> name.startsWith("org/apache/hc/client5/"))).isNotEmpty();
  }

  @Test
  void manifestStartsTheCommandLine() throws IOException {
    Attributes attributes = applicationJar.getManifest().getMainAttributes();

    assertThat(attributes.getValue(Attributes.Name.MAIN_CLASS)).isEqualTo(MAIN_CLASS);
    assertThat(applicationJar.getEntry(MAIN_CLASS.replace('.', '/') + ".class")).isNotNull();
  }

  @Test
  void jdbcDriversStayRegisteredAfterMergingServiceFiles() {
    String drivers = new String(read("META-INF/services/java.sql.Driver"), StandardCharsets.UTF_8);

    assertThat(drivers.lines().map(String::strip))
        .contains("org.sqlite.JDBC", "org.postgresql.Driver", "org.mariadb.jdbc.Driver");
  }

  @Test
  void signaturesOfBundledJarsAreDropped() {
    assertThat(entryNames().filter(name -> name.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)")))
        .isEmpty();
  }

  private static boolean referencesUnrelocatedProtobuf(String constant) {
    return occursUnprefixed(constant, "com/google/protobuf/", shadedPrefix)
        || occursUnprefixed(constant, "com.google.protobuf.", shadedPrefix.replace('/', '.'));
  }

  private static boolean occursUnprefixed(String text, String name, String prefix) {
    for (int at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
      if (!text.startsWith(prefix, at - prefix.length())) {
        return true;
      }
    }
    return false;
  }

  /** {@code META-INF/versions/11/org/x/Y.class} is {@code org/x/Y.class} to a Java 11+ JVM. */
  private static String withoutVersionPrefix(String name) {
    return name.replaceFirst("^META-INF/versions/\\d+/", "");
  }

  /** The UTF-8 entries of a class file's constant pool (JVMS 4.4): every name it refers to. */
  private static List<String> utf8Constants(byte[] classFile) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
      in.skipBytes(8); // magic, minor, major
      int count = in.readUnsignedShort();
      List<String> constants = new ArrayList<>();
      for (int index = 1; index < count; index++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> constants.add(in.readUTF());
          case 7, 8, 16, 19, 20 -> in.skipBytes(2);
          case 15 -> in.skipBytes(3);
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
          case 5, 6 -> {
            in.skipBytes(8);
            index++; // longs and doubles take two slots
          }
          default -> throw new IllegalStateException("Invalid constant pool tag " + tag);
        }
      }
      return constants;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Stream<String> entryNames() {
    return applicationJar.stream().map(ZipEntry::getName);
  }

  private static byte[] read(String entryName) {
    ZipEntry entry = applicationJar.getEntry(entryName);
    assertThat(entry).as("entry %s", entryName).isNotNull();
    try (InputStream in = applicationJar.getInputStream(entry)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> sparkJars() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(property("sluice.spark.jars")))) {
      List<Path> jars =
          files
              .filter(file -> file.toString().endsWith(".jar"))
              .sorted()
              .collect(Collectors.toList());
      assertThat(jars).as("Spark runtime jars").hasSizeGreaterThan(100);
      return jars;
    }
  }

  private static String property(String name) {
    return requireNonNull(System.getProperty(name), name + " is not set (run through Maven)");
  }
}
