package dev.bulwark.config;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" for a misspelt key or value: the known word nearest to what was written, if near enough. */
final class Suggestions {
    private Suggestions() {
    }

    /** The known word that differs only in case, {@code -} against {@code _}, or by at most two edits (one for short words); else null. */
    static String nearest(String written, Collection<String> known) {
        String normalized = normalize(written);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            String other = normalize(candidate);
            if (other.equals(normalized)) {
                return candidate;
            }
            int limit = Math.min(normalized.length(), other.length()) <= 4 ? 1 : 2;
            int distance = distance(normalized, other);
            if (distance <= limit && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** {@code " (did you mean 'every'?)"} or the empty string. */
    static String didYouMean(String written, Collection<String> known) {
        String nearest = nearest(written, known);
        return nearest == null ? "" : " (did you mean '" + nearest + "'?)";
    }

    private static String normalize(String word) {
        return word.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    }

    /** Levenshtein distance, adjacent transpositions counting as one edit. */
    private static int distance(String a, String b) {
        int[][] cost = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            cost[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            cost[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int substitution = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int best = Math.min(Math.min(cost[i - 1][j] + 1, cost[i][j - 1] + 1), cost[i - 1][j - 1] + substitution);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    best = Math.min(best, cost[i - 2][j - 2] + 1);
                }
                cost[i][j] = best;
            }
        }
        return cost[a.length()][b.length()];
    }
}
