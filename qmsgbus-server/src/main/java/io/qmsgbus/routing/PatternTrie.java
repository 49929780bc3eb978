package io.qmsgbus.routing;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Wildcard registrations as a token trie (as nats-server's sublist): one level per token, a literal
 * child per token text, one {@code *} child, and at each node the receivers whose pattern ends
 * there ({@code here}) or continues with {@code >} ({@code rest}). Matching a name walks at most
 * two children per token, so its cost depends on the name's length and the patterns that share its
 * prefixes, not on how many patterns there are. Not thread-safe: {@link LocalRouter} guards it and
 * caches its answers.
 */
final class PatternTrie {

  private static final Receiver[] NONE = new Receiver[0];

  private static final class Node {
    Map<String, Node> literal;
    Node star;
    Receiver[] here = NONE;
    Receiver[] rest = NONE;

    boolean empty() {
      return here.length == 0
          && rest.length == 0
          && star == null
          && (literal == null || literal.isEmpty());
    }
  }

  private final Node root = new Node();

  /** Adds {@code r} under {@code pattern}'s tokens; false if it was there. */
  boolean add(String[] tokens, Receiver r) {
    Node n = root;
    for (int i = 0; i < tokens.length; i++) {
      String t = tokens[i];
      if (t.equals(">")) {
        Receiver[] next = with(n.rest, r);
        boolean added = next != n.rest;
        n.rest = next;
        return added;
      }
      if (t.equals("*")) {
        if (n.star == null) {
          n.star = new Node();
        }
        n = n.star;
      } else {
        if (n.literal == null) {
          n.literal = new HashMap<>(4);
        }
        n = n.literal.computeIfAbsent(t, k -> new Node());
      }
    }
    Receiver[] next = with(n.here, r);
    boolean added = next != n.here;
    n.here = next;
    return added;
  }

  /** Removes {@code r} from under {@code pattern}'s tokens (pruning emptied nodes). */
  boolean remove(String[] tokens, Receiver r) {
    return remove(root, tokens, 0, r);
  }

  private static boolean remove(Node n, String[] tokens, int i, Receiver r) {
    if (i == tokens.length) {
      Receiver[] next = without(n.here, r);
      boolean removed = next != n.here;
      n.here = next;
      return removed;
    }
    String t = tokens[i];
    if (t.equals(">")) {
      Receiver[] next = without(n.rest, r);
      boolean removed = next != n.rest;
      n.rest = next;
      return removed;
    }
    Node child = t.equals("*") ? n.star : (n.literal == null ? null : n.literal.get(t));
    if (child == null) {
      return false;
    }
    boolean removed = remove(child, tokens, i + 1, r);
    if (child.empty()) {
      if (t.equals("*")) {
        n.star = null;
      } else {
        n.literal.remove(t);
      }
    }
    return removed;
  }

  /** Tells {@code out} every receiver with a pattern matching {@code name} (maybe twice). */
  void match(String name, Consumer<Receiver> out) {
    match(root, name, 0, out);
  }

  private static void match(Node n, String name, int start, Consumer<Receiver> out) {
    // a token remains at start: '>' here takes it and everything after
    for (Receiver r : n.rest) {
      out.accept(r);
    }
    int dot = name.indexOf('.', start);
    int end = dot < 0 ? name.length() : dot;
    Node lit = n.literal == null ? null : n.literal.get(name.substring(start, end));
    for (Node child : new Node[] {lit, n.star}) {
      if (child == null) {
        continue;
      }
      if (dot < 0) {
        for (Receiver r : child.here) {
          out.accept(r);
        }
      } else {
        match(child, name, dot + 1, out);
      }
    }
  }

  boolean isEmpty() {
    return root.empty();
  }

  private static Receiver[] with(Receiver[] a, Receiver r) {
    for (Receiver x : a) {
      if (x == r) {
        return a;
      }
    }
    Receiver[] next = Arrays.copyOf(a, a.length + 1);
    next[a.length] = r;
    return next;
  }

  private static Receiver[] without(Receiver[] a, Receiver r) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == r) {
        if (a.length == 1) {
          return NONE;
        }
        Receiver[] next = new Receiver[a.length - 1];
        System.arraycopy(a, 0, next, 0, i);
        System.arraycopy(a, i + 1, next, i, a.length - i - 1);
        return next;
      }
    }
    return a;
  }
}
