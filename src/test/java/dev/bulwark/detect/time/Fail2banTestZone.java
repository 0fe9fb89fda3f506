package dev.bulwark.detect.time;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneOffsetTransitionRule;
import java.time.zone.ZoneOffsetTransitionRule.TimeDefinition;
import java.time.zone.ZoneRules;
import java.time.zone.ZoneRulesException;
import java.time.zone.ZoneRulesProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * fail2ban's test zone, the POSIX rule {@code CET-01CEST-02,M3.5.0,M10.5.0}, as a {@link ZoneId}.
 * It is not Europe/Zurich: it applies to every year (Zurich had no summer time before 1981) and
 * ends summer time at 02:00 CEST, where Zurich ends it at 03:00.
 */
final class Fail2banTestZone {
    static final String ID = "Fail2ban/CET-01CEST-02";
    private static final ZoneOffset CET = ZoneOffset.ofHours(1);
    private static final ZoneOffset CEST = ZoneOffset.ofHours(2);

    private Fail2banTestZone() {}

    static synchronized ZoneId zone() {
        try {
            return ZoneId.of(ID);
        } catch (ZoneRulesException e) {
            ZoneRulesProvider.registerProvider(new Provider());
            return ZoneId.of(ID);
        }
    }

    private static ZoneRules rules() {
        // M3.5.0 and M10.5.0 at the default 02:00 local (wall) time.
        ZoneOffsetTransitionRule spring = ZoneOffsetTransitionRule.of(Month.MARCH, -1, DayOfWeek.SUNDAY,
                LocalTime.of(2, 0), false, TimeDefinition.WALL, CET, CET, CEST);
        ZoneOffsetTransitionRule autumn = ZoneOffsetTransitionRule.of(Month.OCTOBER, -1, DayOfWeek.SUNDAY,
                LocalTime.of(2, 0), false, TimeDefinition.WALL, CET, CEST, CET);
        List<ZoneOffsetTransition> transitions = new ArrayList<>();
        for (int year = 1800; year <= 2100; year++) {
            transitions.add(spring.createTransition(year));
            transitions.add(autumn.createTransition(year));
        }
        return ZoneRules.of(CET, CET, List.of(), transitions, List.of(spring, autumn));
    }

    private static final class Provider extends ZoneRulesProvider {
        private final ZoneRules rules = rules();

        @Override
        protected Set<String> provideZoneIds() {
            return Set.of(ID);
        }

        @Override
        protected ZoneRules provideRules(String zoneId, boolean forCaching) {
            return rules;
        }

        @Override
        protected NavigableMap<String, ZoneRules> provideVersions(String zoneId) {
            return new TreeMap<>(java.util.Map.of("1", rules));
        }
    }
}
