package io.celeriac.monitor;

import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.testing.PythonPeer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The monitor's UI in a real browser (Debian's headless Chromium driven by Selenium) against a live cluster: a
 * Python Celery worker with {@code -E} on Redis, tasks sent by the Java client. A worker appears online, a task
 * turns SUCCESS without a reload, a failing task's page shows its traceback, a filter narrows the table, the
 * queue depth moves, and an HTML-laden argument is shown as text. Screenshots go to
 * {@code target/screenshots}. Without Chromium the test is skipped (a failure under {@code CI=true}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitorBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String WORKER_PY = String.join("\n",
            "import os, time",
            "from celery import Celery",
            "app = Celery('monproj', broker=os.environ['CELERIAC_BROKER'], backend=os.environ['CELERIAC_BROKER'])",
            "app.conf.task_default_queue = os.environ['CELERIAC_QUEUE']",
            "",
            "@app.task(name='mon.add')",
            "def add(x, y):",
            "    return x + y",
            "",
            "@app.task(name='mon.slow')",
            "def slow(seconds):",
            "    time.sleep(seconds)",
            "    return seconds",
            "",
            "@app.task(name='mon.fail')",
            "def fail(why):",
            "    raise ValueError(why)",
            "",
            "@app.task(name='mon.echo')",
            "def echo(value):",
            "    return value",
            "");

    final String tag = UUID.randomUUID().toString().substring(0, 8);
    final String queue = "mb-" + tag;
    final String idle = "mb-idle-" + tag;
    final String node = "py-" + tag + "@browser";
    RedisTestServer.DatabaseLease lease;
    Process pyWorker;
    Path dir;
    CeleryClient client;
    Monitor monitor;
    WebDriver driver;
    Path shots = Path.of("target", "screenshots");
    String failedId;

    @BeforeAll
    void start() throws IOException {
        boolean ci = "true".equalsIgnoreCase(String.valueOf(System.getenv("CI")).strip());
        boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String missing = "Chromium is not installed (" + CHROMIUM + ", " + CHROMEDRIVER
                + "); install it with: apt-get install -y chromium chromium-driver";
        if (!browser && ci) {
            throw new AssertionError(missing + " (CI=true, so this is a failure)");
        }
        Assumptions.assumeTrue(browser, missing);
        PythonPeer peer = PythonPeer.system();
        peer.assumeAvailable();
        lease = TestServices.redis().leaseDatabase();
        dir = Files.createTempDirectory("celeriac-monitor-browser");
        Files.writeString(dir.resolve("monproj.py"), WORKER_PY);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CELERIAC_BROKER", lease.url());
        env.put("CELERIAC_QUEUE", queue);
        env.put("PYTHONPATH", dir.toString());
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        Path log = dir.resolve("worker.log");
        pyWorker = peer.startBackground(null, log, env, dir, "-m", "celery", "-A", "monproj", "worker", "-P", "solo",
                "-E", "-Q", queue, "-n", node, "--without-mingle", "--without-gossip", "--loglevel=INFO");
        monitor = Monitor.builder().brokerUrl(lease.url()).backendUrl(lease.url()).port(0).queues(List.of(queue, idle))
                .queuePollInterval(Duration.ofMillis(500)).inspectInterval(Duration.ZERO)
                .history(dir.resolve("history.db")).build().start();
        client = CeleryClient.builder().brokerUrl(lease.url()).backendUrl(lease.url()).defaultQueue(queue)
                .sendSentEvent(true).build();
        await("the Python worker is ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!pyWorker.isAlive()) {
                        throw new AssertionError("the Python worker exited:\n" + Files.readString(log));
                    }
                    return Files.readString(log).contains("ready.");
                });
        Files.createDirectories(shots);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--user-data-dir=" + Files.createTempDirectory("celeriac-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    void stop() {
        try {
            if (driver != null) {
                driver.quit();
            }
            if (monitor != null) {
                monitor.close();
            }
            if (client != null) {
                client.close();
            }
        } finally {
            if (pyWorker != null) {
                PythonPeer.stop(pyWorker);
            }
            if (lease != null) {
                lease.close();
            }
        }
    }

    private void open(String path) {
        driver.get(monitor.url() + path.substring(1));
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private void screenshot(String name) throws IOException {
        File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), shots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** An attribute read in the page itself, so that a table rebuilt meanwhile cannot leave a stale element. */
    private String attr(String css, String name) {
        Object v = ((JavascriptExecutor) driver).executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;", css, name);
        return v == null ? null : v.toString();
    }

    /** The text of the first match, read in the page. */
    private String text(String css) {
        Object v = ((JavascriptExecutor) driver).executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css);
        return v == null ? "" : v.toString();
    }

    /** The text of the first match; a row rebuilt by a live update between the find and the read reads as empty. */
    private String text(By by) {
        try {
            List<WebElement> found = driver.findElements(by);
            return found.isEmpty() ? "" : found.get(0).getText();
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return "";
        }
    }

    @Test
    @Order(1)
    void theWorkerAppearsOnline() {
        open("/");
        By row = By.cssSelector("tr[data-worker='" + node + "']");
        await("the worker's row says online").atMost(WAIT).ignoreExceptions().until(() -> text(row).contains("online"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(By.id("live-text"))).isEqualTo("live"));
    }

    @Test
    @Order(2)
    void aTaskTurnsSuccessLiveWithoutAReload() {
        open("/tasks");
        await("the task table").atMost(WAIT).until(() -> !driver.findElements(By.cssSelector("#tasks-table table"))
                .isEmpty());
        js("window.__noReload = 'still here';");
        String id = client.send("mon.slow", List.of(1.5), Map.of(), SendOptions.none()).id();
        String row = "tr[data-uuid='" + id + "']";
        await("the task shows up").atMost(WAIT).until(() -> attr(row, "data-state") != null);
        await("the task turns SUCCESS").atMost(WAIT).until(() -> "SUCCESS".equals(attr(row, "data-state")));
        assertThat(js("return window.__noReload;")).as("the page was not reloaded").isEqualTo("still here");
        assertThat(text(row)).contains("mon.slow").contains(node);
    }

    @Test
    @Order(3)
    void aFailingTasksPageShowsItsTraceback() throws IOException {
        failedId = client.send("mon.fail", List.of("the disk is full"), Map.of(), SendOptions.none()).id();
        open("/task/" + failedId);
        await("the traceback").atMost(WAIT).ignoreExceptions().until(() -> {
            if (driver.findElements(By.id("traceback")).isEmpty()) {
                driver.navigate().refresh();
                return false;
            }
            return driver.findElement(By.id("traceback")).getText().contains("ValueError: the disk is full");
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(By.id("task-title"))).contains("mon.fail"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(By.id("task-fields"))).contains("FAILURE").contains(node));
        screenshot("task-failed");
    }

    @Test
    @Order(4)
    void aFilterNarrowsTheTable() {
        for (int i = 0; i < 3; i++) {
            client.send("mon.add", List.of(i, i), Map.of(), SendOptions.none());
        }
        open("/tasks");
        By rows = By.cssSelector("#tasks-table tbody tr[data-uuid]");
        await("every task listed").atMost(WAIT).ignoreExceptions().until(() -> driver.findElements(rows).size() >= 5);
        new Select(driver.findElement(By.id("f-state"))).selectByValue("FAILURE");
        await("only the failure is left").atMost(WAIT).ignoreExceptions().until(() -> {
            List<WebElement> r = driver.findElements(rows);
            return r.size() == 1 && failedId.equals(r.get(0).getAttribute("data-uuid"));
        });
        assertThat(driver.getCurrentUrl()).contains("state=FAILURE");
        new Select(driver.findElement(By.id("f-state"))).selectByValue("");
        WebElement search = driver.findElement(By.id("f-search"));
        search.sendKeys("mon.add");
        driver.findElement(By.cssSelector("#task-filters button[type=submit]")).click();
        await("only the adds are left").atMost(WAIT).ignoreExceptions().until(() -> {
            List<WebElement> r = driver.findElements(rows);
            return r.size() == 3 && r.stream().allMatch(e -> e.getText().contains("mon.add"));
        });
    }

    @Test
    @Order(5)
    void anHtmlLadenArgumentIsShownAsText() {
        String evil = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">";
        String id = client.send("mon.echo", List.of(evil), Map.of(), SendOptions.none()).id();
        open("/tasks");
        String row = "tr[data-uuid='" + id + "']";
        await("the task with HTML is listed").atMost(WAIT).until(() -> "SUCCESS".equals(attr(row, "data-state")));
        assertThat(text(row)).contains("<script>window.__pwned=1</script>");
        assertThat(driver.findElements(By.cssSelector("#tasks-table img"))).isEmpty();
        open("/task/" + id);
        await("the task page").atMost(WAIT).until(() -> text(By.id("task-fields")).contains("onerror"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(By.cssSelector("dd[data-field='args']"))).contains("<script>window.__pwned=1</script>"));
        assertThat(driver.findElements(By.cssSelector("#task-fields img, #task-fields script"))).isEmpty();
        assertThat(js("return window.__pwned === undefined;")).isEqualTo(true);
    }

    @Test
    @Order(6)
    void theQueueDepthMoves() throws IOException {
        open("/queues");
        By row = By.cssSelector("tr[data-queue='" + idle + "']");
        await("the idle queue is listed").atMost(WAIT).until(() -> text(row).contains(idle));
        for (int i = 0; i < 4; i++) {
            client.send("mon.add", List.of(i, 1), Map.of(), SendOptions.builder().queue(idle).build());
        }
        await("the depth is 4").atMost(WAIT).until(() -> text(row).matches(".*\\b4\\b.*"));
        screenshot("queues");
    }

    @Test
    @Order(7)
    void screenshotsOfTheDashboard() throws IOException {
        for (int i = 0; i < 6; i++) {
            client.send("mon.add", List.of(i, 2), Map.of(), SendOptions.none());
        }
        client.send("mon.slow", List.of(0.3), Map.of(), SendOptions.none());
        open("/");
        By row = By.cssSelector("tr[data-worker='" + node + "']");
        await("the dashboard").atMost(WAIT).until(() -> text(row).contains("online")
                && !driver.findElements(By.cssSelector("#runtimes tbody tr td a")).isEmpty()
                && !driver.findElements(By.cssSelector("#chart-tasks path")).isEmpty());
        screenshot("dashboard");
        open("/tasks");
        await("the task table").atMost(WAIT).until(() -> driver.findElements(By.cssSelector("#tasks-table tbody tr"))
                .size() >= 10);
        screenshot("tasks");
        open("/worker/" + node);
        await("the worker page").atMost(WAIT).until(() -> text(By.id("worker-title")).contains(node));
        driver.findElement(By.id("inspect")).click();
        await("the worker's stats").atMost(WAIT).until(() -> driver.getPageSource().contains("mon.add"));
        screenshot("worker");
    }
}
