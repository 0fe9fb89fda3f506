package dev.bulwark.detect.time;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One compiled date template: fail2ban's {@code DateTemplate} (a {@code DatePatternRegex}, a
 * {@code DateEpoch} or a {@code DateTai64n}) without its hit counter, which lives in each
 * detector. Immutable, so the default templates are compiled once and shared by all detectors.
 */
final class DateTemplate {
    static final int LINE_BEGIN = 8;
    static final int LINE_END = 4;
    static final int WORD_BEGIN = 2;
    static final int WORD_END = 1;

    enum Kind { PATTERN, EPOCH, LONG_EPOCH, TAI64N }

    /** The strptime fields a {@code PATTERN} template reads, by the name of their group. */
    static final String FIELD_KEYS = "yYmBbdHIMSAawjUWzZ";

    final Kind kind;
    /** fail2ban's name: templates of one detector must have distinct names. */
    final String name;
    /** The date pattern it was made from, for {@code PATTERN} templates; null for the others. */
    final String pattern;
    /** The Python regular expression fail2ban would search with. */
    final String regex;
    final Pattern compiled;
    final int flags;
    /** fail2ban's template weight: 100 for the line-begin copies of the default templates. */
    final double weight;
    /** {@code EPOCH} and {@code LONG_EPOCH}: the group holding the number. */
    final int valueGroup;
    /** {@code PATTERN}: the fields to read, as indexes into {@link #FIELD_KEYS}, in group order. */
    final int[] fieldKeys;
    /** {@code PATTERN}: the group of each field in {@link #fieldKeys}. */
    final int[] fieldGroups;
    /** {@code PATTERN}: the group named {@code p} (AM/PM), or -1 when there is none. */
    final int ampmGroup;
    /** A hand-written matcher that gives the same matches as {@link #compiled}, or null. */
    final FastDate fast;

    /** {@code groupNames}: Python's name of each of {@code compiled}'s groups by number, null for group 0 and "" for one without. */
    DateTemplate(Kind kind, String name, String pattern, String regex, Pattern compiled, List<String> groupNames,
            int flags, double weight, int valueGroup) {
        this.kind = kind;
        this.name = name;
        this.pattern = pattern;
        this.regex = regex;
        this.compiled = compiled;
        this.flags = flags;
        this.weight = weight;
        this.valueGroup = valueGroup;
        List<String> names = groupNames;
        int count = 0;
        for (String group : names) {
            if (fieldKey(group) >= 0) {
                count++;
            }
        }
        fieldKeys = new int[count];
        fieldGroups = new int[count];
        int field = 0;
        for (int group = 0; group < names.size(); group++) {
            int key = fieldKey(names.get(group));
            if (key >= 0) {
                fieldKeys[field] = key;
                fieldGroups[field] = group;
                field++;
            }
        }
        ampmGroup = names.indexOf("p");
        fast = kind == Kind.PATTERN ? FastDate.of(regex, names) : null;
    }

    private DateTemplate(DateTemplate template, double weight) {
        this.kind = template.kind;
        this.name = template.name;
        this.pattern = template.pattern;
        this.regex = template.regex;
        this.compiled = template.compiled;
        this.flags = template.flags;
        this.weight = weight;
        this.valueGroup = template.valueGroup;
        this.fieldKeys = template.fieldKeys;
        this.fieldGroups = template.fieldGroups;
        this.ampmGroup = template.ampmGroup;
        this.fast = template.fast;
    }

    DateTemplate withWeight(double newWeight) {
        return newWeight == weight ? this : new DateTemplate(this, newWeight);
    }

    boolean anchored() {
        return (flags & (LINE_BEGIN | LINE_END)) != 0;
    }

    /** The text fail2ban wraps when it derives a template from this one ({@code pattern}, else {@code regex}). */
    String source() {
        return pattern != null ? pattern : regex;
    }

    private static int fieldKey(String groupName) {
        return groupName != null && groupName.length() == 1 ? FIELD_KEYS.indexOf(groupName.charAt(0)) : -1;
    }

    @Override
    public String toString() {
        return name;
    }
}
