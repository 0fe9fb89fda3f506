package dev.bulwark.detect.jail;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The filter a jail reads its log with: a built-in one by name ({@code sshd}) or a fail2ban
 * {@code .conf} file, and the values given to its {@code [Init]} options ({@code mode}).
 * Exactly one of {@code name} and {@code file} is set.
 */
public record JailFilter(String name, Path file, Map<String, String> options) {
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern OPTION_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    /** fail2ban's {@code name[option=value, option="quoted, value"]}. */
    private static final Pattern REFERENCE = Pattern.compile("\\s*([^\\[\\]]+?)\\s*(?:\\[(.*)])?\\s*", Pattern.DOTALL);
    private static final Pattern OPTION = Pattern.compile(
            "\\s*([^=,\\s]+)\\s*=\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|[^,]*?)\\s*(?:,|$)", Pattern.DOTALL);

    public JailFilter {
        if ((name == null) == (file == null)) {
            throw new IllegalArgumentException("a filter is a name or a file, exactly one of them");
        }
        if (name != null && !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a filter name: use letters, digits and . _ - (such as sshd), or a path to a .conf file");
        }
        for (String option : options.keySet()) {
            if (!OPTION_NAME.matcher(option).matches()) {
                throw new IllegalArgumentException("'" + option + "' is not a filter option name: use letters, digits and _ (such as mode)");
            }
        }
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** Whether {@code written} (without options) names a file rather than a built-in filter: it holds a / or ends with .conf or .local. */
    public static boolean isFile(String written) {
        return written.indexOf('/') >= 0 || written.endsWith(".conf") || written.endsWith(".local");
    }

    /**
     * Splits {@code sshd[mode=aggressive, port="22,2222"]} into the reference ({@code sshd})
     * and its options; throws IllegalArgumentException saying what is wrong.
     */
    public static Reference parse(String written) {
        Matcher whole = REFERENCE.matcher(written);
        if (!whole.matches()) {
            throw new IllegalArgumentException("'" + written + "' is not a filter: write a name such as sshd, "
                    + "with options as sshd[mode=aggressive], or a path to a .conf file");
        }
        Map<String, String> options = new LinkedHashMap<>();
        String list = whole.group(2);
        if (list != null && !list.isBlank()) {
            Matcher option = OPTION.matcher(list);
            int at = 0;
            while (at < list.length()) {
                if (!option.find(at) || option.start() != at) {
                    throw new IllegalArgumentException("cannot read the filter's options '" + list.substring(at).trim()
                            + "': write them as name=value, separated by commas, e.g. sshd[mode=aggressive]");
                }
                if (options.put(option.group(1), unquote(option.group(2))) != null) {
                    throw new IllegalArgumentException("filter option " + option.group(1) + " is given twice");
                }
                at = option.end();
            }
        }
        return new Reference(whole.group(1), options);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'') && value.charAt(value.length() - 1) == value.charAt(0)) {
            return value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return value;
    }

    /** A filter as written: the name or path, and the options written in brackets after it. */
    public record Reference(String target, Map<String, String> options) {
    }

    @Override
    public String toString() {
        String target = name != null ? name : file.toString();
        if (options.isEmpty()) {
            return target;
        }
        StringBuilder text = new StringBuilder(target).append('[');
        options.forEach((option, value) -> text.append(text.charAt(text.length() - 1) == '[' ? "" : ", ").append(option).append('=').append(value));
        return text.append(']').toString();
    }
}
