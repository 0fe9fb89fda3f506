package dev.bulwark.decision;

import java.util.ArrayList;
import java.util.List;

/**
 * A decision's categories as the store keeps them: a JSON array of strings. A category may
 * hold any character (commas included), and JSON keeps the column readable and queryable
 * with SQLite's own {@code json_each}. Written by hand because it is one small shape, read
 * a million times at start-up.
 */
final class CategoriesJson {
    private CategoriesJson() {
    }

    static String encode(List<String> categories) {
        if (categories.isEmpty()) {
            return "[]";
        }
        StringBuilder json = new StringBuilder(16 * categories.size());
        json.append('[');
        for (int i = 0; i < categories.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            appendString(json, categories.get(i));
        }
        return json.append(']').toString();
    }

    /** The list {@link #encode} wrote, immutable; throws IllegalArgumentException on anything else. */
    static List<String> decode(String json) {
        if (json.equals("[]")) {
            return List.of();
        }
        List<String> categories = new ArrayList<>(4);
        int at = expect(json, 0, '[');
        while (true) {
            at = expect(json, at, '"');
            StringBuilder value = new StringBuilder();
            at = readString(json, at, value);
            categories.add(value.toString());
            if (at < json.length() && json.charAt(at) == ',') {
                at++;
                continue;
            }
            at = expect(json, at, ']');
            if (at != json.length()) {
                throw malformed(json, at);
            }
            return List.copyOf(categories);
        }
    }

    private static void appendString(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** Reads the rest of a string whose opening quote is before {@code at}; returns the index after its closing quote. */
    private static int readString(String json, int at, StringBuilder value) {
        while (at < json.length()) {
            char c = json.charAt(at++);
            if (c == '"') {
                return at;
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            if (at >= json.length()) {
                break;
            }
            char escaped = json.charAt(at++);
            switch (escaped) {
                case '"', '\\', '/' -> value.append(escaped);
                case 'n' -> value.append('\n');
                case 'r' -> value.append('\r');
                case 't' -> value.append('\t');
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'u' -> {
                    if (at + 4 > json.length()) {
                        throw malformed(json, at);
                    }
                    try {
                        value.append((char) Integer.parseInt(json, at, at + 4, 16));
                    } catch (NumberFormatException e) {
                        throw malformed(json, at);
                    }
                    at += 4;
                }
                default -> throw malformed(json, at - 1);
            }
        }
        throw malformed(json, json.length());
    }

    private static int expect(String json, int at, char expected) {
        if (at >= json.length() || json.charAt(at) != expected) {
            throw malformed(json, at);
        }
        return at + 1;
    }

    private static IllegalArgumentException malformed(String json, int at) {
        return new IllegalArgumentException("categories are not a JSON array of strings at character " + at + ": " + json);
    }
}
