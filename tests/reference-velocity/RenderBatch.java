// Reference renderer for the differential test (tests/unit/vtl-differential.test.ts).
//
// Renders a batch of API Gateway mapping templates on Apache Velocity 1.7, the engine API Gateway
// documents, with $input/$util/$context/$stageVariables modelled on what API Gateway exposes:
// $input.path/$input.json use Jayway JsonPath on json-smart (maps are LinkedHashMap, arrays
// JSONArray, which is why AWS prints a map as {a=b} and a list as JSON), $util.escapeJavaScript is
// Commons Lang 2's. One JVM renders every case: starting a JVM per case would make the test slow.
//
// Usage: java -cp <jars> RenderBatch.java <cases.json> <results.json>
// cases.json: [{"template", "body", "params": {path, querystring, header}, "context", "stageVariables"}]
// results.json: [{"body", "status", "headers", "requestOverrides"} | {"error"}]

import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.minidev.json.JSONValue;
import net.minidev.json.parser.JSONParser;
import org.apache.commons.lang.StringEscapeUtils;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import org.apache.velocity.app.event.EventCartridge;
import org.apache.velocity.app.event.ReferenceInsertionEventHandler;

public class RenderBatch {
  /** The six $util functions API Gateway documents. */
  public static class Util {
    public String escapeJavaScript(String s) {
      return StringEscapeUtils.escapeJavaScript(s);
    }

    public Object parseJson(String s) throws Exception {
      return parse(s);
    }

    public String urlEncode(String s) throws Exception {
      return URLEncoder.encode(s, "UTF-8");
    }

    public String urlDecode(String s) throws Exception {
      return URLDecoder.decode(s, "UTF-8");
    }

    public String base64Encode(String s) {
      return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    public String base64Decode(String s) {
      return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }
  }

  /** $input: body, path(), json(), params(). */
  public static class Input {
    private final String body;
    private final Map<String, Object> params;

    Input(String body, Map<String, Object> params) {
      this.body = body;
      this.params = params;
    }

    public String getBody() {
      // API Gateway hands an empty body to templates as "{}".
      return body.isEmpty() ? "{}" : body;
    }

    public Object path(String p) {
      try {
        return JsonPath.read(getBody(), p);
      } catch (PathNotFoundException e) {
        return null;
      }
    }

    public String json(String p) {
      Object v = path(p);
      return JSONValue.toJSONString(v);
    }

    public Map<String, Object> params() {
      return params;
    }

    @SuppressWarnings("unchecked")
    public Object params(String name) {
      for (String where : new String[] {"path", "querystring", "header"}) {
        Object m = params.get(where);
        if (m instanceof Map && ((Map<String, Object>) m).containsKey(name)) {
          return ((Map<String, Object>) m).get(name);
        }
      }
      return "";
    }
  }

  static Object parse(String s) throws Exception {
    return new JSONParser(JSONParser.DEFAULT_PERMISSIVE_MODE)
        .parse(s, JSONValue.defaultReader.DEFAULT_ORDERED);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (o instanceof Map) m.putAll((Map<String, Object>) o);
    return m;
  }

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    VelocityEngine engine = new VelocityEngine();
    engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
    // API Gateway stops a #foreach after 1000 iterations.
    engine.setProperty("directive.foreach.maxloops", "1000");
    engine.init();

    String casesText = new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8);
    List<Object> cases = (List<Object>) parse(casesText);
    List<Object> results = new ArrayList<>();
    for (Object c : cases) {
      Map<String, Object> tc = (Map<String, Object>) c;
      Map<String, Object> result = new LinkedHashMap<>();
      try {
        Map<String, Object> params = new LinkedHashMap<>();
        Map<String, Object> given = map(tc.get("params"));
        for (String where : new String[] {"path", "querystring", "header"}) {
          params.put(where, map(given.get(where)));
        }
        Map<String, Object> context = map(tc.get("context"));
        Map<String, Object> override = new LinkedHashMap<>();
        override.put("header", new LinkedHashMap<String, Object>());
        context.put("responseOverride", override);
        // $context.requestOverride: header, querystring and path maps a request template fills.
        Map<String, Object> requestOverride = new LinkedHashMap<>();
        for (String where : new String[] {"header", "querystring", "path"}) {
          requestOverride.put(where, new LinkedHashMap<String, Object>());
        }
        context.put("requestOverride", requestOverride);

        VelocityContext vc = new VelocityContext();
        vc.put("input", new Input((String) tc.get("body"), params));
        vc.put("util", new Util());
        vc.put("context", context);
        vc.put("stageVariables", map(tc.get("stageVariables")));
        // API Gateway renders a null or undefined reference as nothing (LocalStack's
        // AWS-recorded test_input_path_template_formatting), where stock Velocity would print
        // the reference's source text.
        EventCartridge ec = new EventCartridge();
        ec.addEventHandler(
            (ReferenceInsertionEventHandler) (ref, value) -> value == null ? "" : value);
        ec.attachToContext(vc);

        StringWriter out = new StringWriter();
        engine.evaluate(vc, out, "case", (String) tc.get("template"));
        result.put("body", out.toString());
        Object status = override.get("status");
        if (status != null) result.put("status", status.toString());
        Map<String, Object> headers = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) override.get("header")).entrySet()) {
          headers.put(e.getKey(), String.valueOf(e.getValue()));
        }
        result.put("headers", headers);
        Map<String, Object> requestOverrides = new LinkedHashMap<>();
        for (String where : new String[] {"header", "querystring", "path"}) {
          Map<String, Object> values = new LinkedHashMap<>();
          for (Map.Entry<String, Object> e :
              ((Map<String, Object>) requestOverride.get(where)).entrySet()) {
            if (e.getValue() != null) values.put(e.getKey(), String.valueOf(e.getValue()));
          }
          requestOverrides.put(where, values);
        }
        result.put("requestOverrides", requestOverrides);
      } catch (Throwable e) {
        result.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      results.add(result);
    }
    Files.write(
        Paths.get(args[1]), JSONValue.toJSONString(results).getBytes(StandardCharsets.UTF_8));
  }
}
