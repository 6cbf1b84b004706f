package dev.stagefleet.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One watch's events as kube-apiserver writes them, a JSON object per line: the store's changes to objects the watch
 * selects as ADDED, MODIFIED or DELETED (an object entering or leaving the selection counts as added or deleted),
 * BOOKMARKs, and an ERROR carrying a Status.
 */
final class WatchEvents {
  /** The annotation on the BOOKMARK that ends the initial events of a {@code sendInitialEvents} watch. */
  static final String INITIAL_EVENTS_END = "k8s.io/initial-events-end";

  private final WatchQuery query;
  private final AttributeSet selects;
  private final ApiDiscovery.ResourceKind kind;
  private final UnaryOperator<JsonNode> render;

  /**
   * @param selects the store's key pattern for the watched resource, namespace and labels
   * @param render how an object is sent: itself, or the Table row kubectl asked for
   */
  WatchEvents(WatchQuery query, AttributeSet selects, ApiDiscovery.ResourceKind kind, UnaryOperator<JsonNode> render) {
    this.query = query;
    this.selects = selects;
    this.kind = kind;
    this.render = render;
  }

  /** The event this change makes for the watch, if the object was or is one it selects. */
  Optional<String> eventFor(ChangeJournal.Change change) {
    JsonNode before = change.oldObject() == null ? null : read(change.oldObject());
    JsonNode after = change.newObject() == null ? null : read(change.newObject());
    boolean was = before != null && change.oldKey() != null && selected(change.oldKey(), before);
    boolean is = after != null && change.newKey() != null && selected(change.newKey(), after);
    if (was && is) {
      return Optional.of(event("MODIFIED", after));
    }
    if (was) {
      // as kube-apiserver's watch cache: the object as the watch last saw it, at the version of the change
      if (before.get("metadata") instanceof ObjectNode metadata) {
        metadata.put("resourceVersion", String.valueOf(change.resourceVersion()));
      }
      return Optional.of(event("DELETED", before));
    }
    return is ? Optional.of(event("ADDED", after)) : Optional.empty();
  }

  /** ADDED events for the objects of a list of the collection that the watch selects. */
  List<String> initial(JsonNode list) {
    List<String> events = new ArrayList<>();
    for (JsonNode item : list.path("items")) {
      if (FieldSelector.matches(item, query.fieldSelector())) {
        events.add(event("ADDED", item));
      }
    }
    return events;
  }

  /** A BOOKMARK: the watch has seen every change up to this version. */
  String bookmark(long resourceVersion, boolean endOfInitialEvents) {
    ObjectNode object = ApiStatus.JSON.createObjectNode().put("kind", kind.kind()).put("apiVersion", kind.apiVersion());
    ObjectNode metadata = object.putObject("metadata").put("resourceVersion", String.valueOf(resourceVersion));
    if (endOfInitialEvents) {
      metadata.putObject("annotations").put(INITIAL_EVENTS_END, "true");
    }
    return line("BOOKMARK", object);
  }

  /** The ERROR event that ends a watch started from a version the server no longer keeps. */
  static String expired(String message) {
    return line("ERROR", withEmptyMetadata(ApiStatus.status(410, "Expired", message)));
  }

  private static ObjectNode withEmptyMetadata(ObjectNode status) {
    status.putObject("metadata");
    return status;
  }

  private boolean selected(AttributeSet key, JsonNode object) {
    return key.matches(selects) && FieldSelector.matches(object, query.fieldSelector());
  }

  private String event(String type, JsonNode object) {
    return line(type, render.apply(object));
  }

  private static String line(String type, JsonNode object) {
    ObjectNode event = ApiStatus.JSON.createObjectNode().put("type", type);
    event.set("object", object);
    return event + "\n";
  }

  private static JsonNode read(String object) {
    try {
      return ApiStatus.JSON.readTree(object);
    } catch (IOException e) {
      throw new IllegalStateException("the CRUD store holds an object that is not JSON", e);
    }
  }
}
