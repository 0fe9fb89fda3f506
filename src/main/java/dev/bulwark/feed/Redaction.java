package dev.bulwark.feed;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Hides secrets in URLs before they reach a log, a summary or a status page. */
public final class Redaction {
    private static final Pattern USER_INFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@?#]*@");
    private static final Pattern QUERY_PARAMETER = Pattern.compile("([?&;])([^=&;#]+)=([^&;#]*)");

    private Redaction() {
    }

    /** The URL with user info removed and the values of key, token, secret, password or auth parameters masked. */
    public static String url(String url) {
        String withoutUser = USER_INFO.matcher(url).replaceFirst("$1***@");
        Matcher matcher = QUERY_PARAMETER.matcher(withoutUser);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(2).toLowerCase(Locale.ROOT);
            boolean secret = name.contains("key") || name.contains("token") || name.contains("secret")
                    || name.contains("pass") || name.contains("auth") || name.contains("sig");
            String replacement = secret ? matcher.group(1) + matcher.group(2) + "=***" : matcher.group();
            matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(result);
        return result.toString();
    }
}
