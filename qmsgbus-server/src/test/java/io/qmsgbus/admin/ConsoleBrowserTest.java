package io.qmsgbus.admin;

import static io.qmsgbus.admin.AdminHttp.list;
import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.Message;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (headless Chromium through chromedriver): the page loads, shows
 * the clients this test connected with their skills, the message rate rises while the test
 * publishes, and a packet published from the "try it" panel reaches a Java receiver.
 *
 * <p>Needs the Debian packages {@code chromium} and {@code chromium-driver} ({@code .ci/run}
 * installs them). Without them the test is skipped on a developer machine and fails under {@code
 * CI=true}. It saves a screenshot as {@code target/console.png}; with {@code
 * -Dqmsgbus.docsScreenshot=true} it lets traffic run longer and also writes {@code
 * docs/console.png}, the README's picture.
 */
class ConsoleBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final boolean DOCS = Boolean.getBoolean("qmsgbus.docsScreenshot");

  private final List<BusClient> clients = new ArrayList<>();
  private final ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
  private BusServer bus;
  private AdminServer admin;
  private ChromeDriverService service;
  private WebDriver driver;

  @BeforeEach
  void start(@TempDir Path profile) throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present) {
      String why =
          "needs "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER
              + " (apt-get install chromium chromium-driver)";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("CI=true but the browser test cannot run: " + why);
      }
      Assumptions.abort("skipped: " + why);
    }
    // a small queue limit, so the slow consumer below shows what drops look like
    bus = BusServer.start(ServerConfig.defaults().withPort(0).with("maxQueuePackets", "25"));
    admin = AdminServer.start(bus, "127.0.0.1", 0);

    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--no-proxy-server",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--window-size=1440,1000",
        "--user-data-dir=" + profile.toAbsolutePath());
    driver = new ChromeDriver(service, options);
  }

  @AfterEach
  void stop() {
    traffic.shutdownNow();
    if (driver != null) {
      driver.quit();
    }
    if (service != null) {
      service.stop();
    }
    clients.forEach(BusClient::close);
    if (admin != null) {
      admin.close();
    }
    if (bus != null) {
      bus.close();
    }
  }

  private BusClient client(boolean autoAck) throws Exception {
    BusClient c = BusClient.builder().uri(bus.url()).autoAck(autoAck).build();
    clients.add(c);
    c.connect();
    return c;
  }

  /** A receiver that takes (and acks) everything. */
  private BusClient consumer(String... skills) throws Exception {
    BusClient c = client(true);
    c.onMessage(m -> {});
    c.register(skills).get(10, TimeUnit.SECONDS);
    return c;
  }

  @Test
  void theConsoleShowsTheBusAndItsTryItPanelPublishes() throws Exception {
    // --- clients: a few receivers in different modes, a slow one, a publisher
    consumer("temps", "alerts");
    BusClient fast = client(true);
    fast.onMessage(m -> {});
    fast.fastpush(true).get(10, TimeUnit.SECONDS);
    fast.buffering(true).get(10, TimeUnit.SECONDS);
    fast.register("temps").get(10, TimeUnit.SECONDS);
    consumer("orders");
    BusClient slow = client(false); // never acks: its queue fills, then drops the oldest
    slow.register("orders").get(10, TimeUnit.SECONDS);
    BusClient inbox = client(true); // the Java end of the "try it" check
    inbox.register("console-demo").get(10, TimeUnit.SECONDS);
    BusClient publisher = client(true);

    // --- the page, before any traffic
    driver.get(admin.url());
    // the page redraws its tables every second: an element found a moment ago may be gone
    WebDriverWait wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
    wait.ignoring(StaleElementReferenceException.class);
    assertThat(driver.getTitle()).isEqualTo("QMsgBus console");
    wait.until(d -> text("status").equals("ready"));
    wait.until(d -> count("#clients-table tbody tr") == 6);
    assertThat(textOf("#clients-table tbody tr td.skills")).contains("temps").contains("alerts");
    assertThat(textOf("#clients-table tbody tr td.addr")).startsWith("127.0.0.1:");
    assertThat(count("#skills-table tbody tr[data-skill='temps']")).isEqualTo(1);
    assertThat(text("ws-url")).isEqualTo(bus.url());
    assertThat(rate("rate-in")).isZero();

    // --- traffic: the in-rate on the page rises
    AtomicLong tick = new AtomicLong();
    traffic.scheduleAtFixedRate(
        () -> {
          long t = tick.incrementAndGet();
          int temps = (int) Math.round(4 + 3 * Math.sin(t / 25.0));
          for (int i = 0; i < temps; i++) {
            publisher.publishJson("temps", "{\"sensor\":" + i + ",\"c\":21.5}");
          }
          publisher.publishJson("orders", "{\"order\":" + t + "}");
          if (t % 7 == 0) {
            publisher.publishText("alerts", "door " + t);
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
    wait.until(d -> rate("rate-in") > 0);
    wait.until(d -> rate("rate-out") > 0);
    wait.until(d -> parseRate(textOf("#skills-table tbody tr[data-skill='temps'] td.rate-in")) > 0);

    // --- try it: register from the browser, publish, and the Java receiver gets the packet
    wait.until(d -> !value("try-url").isEmpty());
    assertThat(value("try-url")).isEqualTo(bus.url());
    type("try-skill", "console-demo");
    driver.findElement(By.id("try-connect")).click();
    wait.until(d -> text("try-status").startsWith("registered"));
    type("try-pub-skill", "console-demo");
    type("try-payload", "{\"from\": \"the browser\", \"n\": 1}");
    driver.findElement(By.id("try-publish")).click();
    Message got = inbox.take(WAIT);
    assertThat(got).as("the packet published in the browser").isNotNull();
    assertThat(got.text())
        .isEqualTo("{\"skill\":\"console-demo\",\"payload\":{\"from\":\"the browser\",\"n\":1}}");
    // the panel is registered for that skill too: it receives its own packet (a BINARY frame)
    wait.until(d -> count("#try-log li.rx") > 0);
    assertThat(textOf("#try-log li.rx")).contains("the browser");

    // --- the slow consumer's queue fills and drops, and the page says so
    wait.until(d -> !text("m-dropped").equals("0"));
    wait.until(
        d ->
            count("#clients-table tbody tr.dropping") > 0
                && count("#skills-table tbody tr.dropping") > 0);

    // --- the filter
    type("client-filter", "orders");
    wait.until(d -> count("#clients-table tbody tr") == 2);
    type("client-filter", "FAST");
    wait.until(d -> count("#clients-table tbody tr") == 1);
    type("client-filter", "");
    wait.until(d -> count("#clients-table tbody tr") == 7); // the browser is a client now

    // --- sorting: by queue depth, deepest first
    driver.findElement(By.cssSelector("#clients-table th[data-key='queued']")).click();
    wait.until(
        d ->
            textOf("#clients-table tbody tr td.skills").equals("orders")
                && textOf("#clients-table th.sorted.desc").equalsIgnoreCase("queue"));

    // --- a picture of it all, once the chart has some history
    AdminHttp http = new AdminHttp(admin.port());
    int points = DOCS ? 80 : 6;
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(points + 30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> list(http.json("/api/stats?history=1").get("history")).size() >= points);
    // the whole page in one picture: make the window as tall as the page
    long height =
        ((Number)
                ((JavascriptExecutor) driver)
                    .executeScript("return document.documentElement.scrollHeight"))
            .longValue();
    driver.manage().window().setSize(new Dimension(1440, (int) Math.min(4000, height + 140)));
    ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
    String updated = text("updated");
    wait.until(d -> !text("updated").equals(updated)); // one more poll, drawn at the new size
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Path target = Path.of("target").toAbsolutePath();
    Files.createDirectories(target);
    Files.write(target.resolve("console.png"), png);
    if (DOCS) {
      Path docs = Path.of("..", "docs").toAbsolutePath().normalize();
      Files.createDirectories(docs);
      Files.copy(
          target.resolve("console.png"),
          docs.resolve("console.png"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(png.length).isGreaterThan(10_000);
  }

  // ---------------------------------------------------------------- page helpers

  private String text(String id) {
    return driver.findElement(By.id(id)).getText().trim();
  }

  private String value(String id) {
    String v = driver.findElement(By.id(id)).getDomProperty("value");
    return v == null ? "" : v;
  }

  /** The text of the first element matching {@code css} ("" if none), read in one step. */
  private String textOf(String css) {
    Object t =
        ((JavascriptExecutor) driver)
            .executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : ''",
                css);
    return String.valueOf(t);
  }

  private long count(String css) {
    return ((Number)
            ((JavascriptExecutor) driver)
                .executeScript("return document.querySelectorAll(arguments[0]).length", css))
        .longValue();
  }

  private void type(String id, String text) {
    WebElement e = driver.findElement(By.id(id));
    e.clear();
    if (!text.isEmpty()) {
      e.sendKeys(text);
    } else {
      // clear() fires no input event; the filter listens for one
      ((JavascriptExecutor) driver)
          .executeScript("arguments[0].dispatchEvent(new Event('input'))", e);
    }
  }

  private double rate(String id) {
    return parseRate(text(id));
  }

  /** "0", "3.5", "1,234", "12.3k" as a number; anything else (the "–" placeholder) is 0. */
  private static double parseRate(String s) {
    String t = s.replace(",", "").trim();
    double scale = 1;
    if (t.endsWith("k")) {
      scale = 1e3;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("M")) {
      scale = 1e6;
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Double.parseDouble(t) * scale;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
