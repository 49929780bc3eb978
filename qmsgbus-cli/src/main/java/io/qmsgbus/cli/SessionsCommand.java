package io.qmsgbus.cli;

import static io.qmsgbus.admin.JsonTree.list;
import static io.qmsgbus.admin.JsonTree.number;
import static io.qmsgbus.admin.JsonTree.object;
import static io.qmsgbus.admin.JsonTree.parse;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qmsgbus sessions}: list the named (durable) sessions, or delete some. */
@Command(
    name = "sessions",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the named (durable) sessions, attached or not, with their queues and expiry;",
      "--delete NAME ends one for good (its queue and stored state go; an attached client is",
      "closed with 4001). Reads the admin listener (/api/sessions)."
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus sessions",
      "  qmsgbus sessions --delete plant-7-logger",
      "  qmsgbus sessions --json | jq '.sessions[] | select(.attached | not) | .name'"
    })
final class SessionsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--admin-url",
      defaultValue = "http://127.0.0.1:8082",
      description = "The admin listener (default ${DEFAULT-VALUE}).")
  String adminUrl;

  @Option(
      names = "--admin-token-file",
      paramLabel = "FILE",
      description = "Send the admin token in FILE (the server's adminTokenFile) as a Bearer token.")
  Path adminTokenFile;

  @Option(
      names = "--delete",
      paramLabel = "NAME",
      description = "Delete this session (repeatable).")
  java.util.List<String> delete = new java.util.ArrayList<>();

  @Option(names = "--json", description = "Print the /api/sessions document as it is.")
  boolean json;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "1000",
      description = "List at most N sessions (default ${DEFAULT-VALUE}, the API's page maximum).")
  int limit;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String base = adminUrl.endsWith("/") ? adminUrl : adminUrl + "/";
    String bearer = null;
    if (adminTokenFile != null) {
      try {
        bearer = Files.readString(adminTokenFile).strip();
      } catch (IOException e) {
        err.println("qmsgbus sessions: cannot read --admin-token-file " + adminTokenFile);
        return 2;
      }
    }
    try {
      if (!delete.isEmpty()) {
        int status = 0;
        for (String name : delete) {
          HttpResponse<String> r =
              send(
                  base + "api/sessions/" + URLEncoder.encode(name, StandardCharsets.UTF_8),
                  "DELETE",
                  bearer);
          if (r.statusCode() == 200) {
            out.println("deleted session " + name);
          } else {
            err.println("qmsgbus sessions: " + name + ": " + r.body().strip());
            status = 1;
          }
        }
        return status;
      }
      HttpResponse<String> r = send(base + "api/sessions?limit=" + limit, "GET", bearer);
      if (r.statusCode() != 200) {
        err.println("qmsgbus sessions: HTTP " + r.statusCode() + ": " + r.body().strip());
        return 1;
      }
      if (json) {
        out.println(r.body());
        return 0;
      }
      Map<String, Object> doc = object(parse(r.body()));
      TablePrinter t =
          TablePrinter.withHeader("NAME", "OWNER", "STATE", "SKILLS", "QUEUED", "EXPIRES IN")
              .alignRight(4, 5);
      for (Object o : list(doc.get("sessions"))) {
        Map<String, Object> s = object(o);
        long expires = (long) number(s.get("expiresInSeconds"));
        t.row(
            String.valueOf(s.get("name")),
            s.get("owner") == null ? "-" : String.valueOf(s.get("owner")),
            Boolean.TRUE.equals(s.get("attached")) ? "attached" : "detached",
            String.join(" ", list(s.get("skills")).stream().map(String::valueOf).toList()),
            Long.toString((long) number(s.get("queued"))),
            expires < 0 ? "-" : expires + " s");
      }
      StringBuilder b = new StringBuilder();
      t.appendTo(b);
      out.print(b);
      out.println((long) number(doc.get("total")) + " session(s)");
      return 0;
    } catch (java.net.ConnectException e) {
      err.println(
          "qmsgbus sessions: cannot reach "
              + base
              + ": connection refused (is the server running, with its admin listener on?)");
      return 1;
    } catch (IOException | IllegalArgumentException e) {
      err.println("qmsgbus sessions: " + base + ": " + e.getMessage());
      return 1;
    }
  }

  private HttpResponse<String> send(String url, String method, String bearer)
      throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (bearer != null) {
      req.header("Authorization", "Bearer " + bearer);
    }
    return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }
}
