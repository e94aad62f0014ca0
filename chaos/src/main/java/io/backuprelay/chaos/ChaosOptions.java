package io.backuprelay.chaos;

import java.util.HashMap;
import java.util.Map;

/**
 * The chaos run's command line: {@code --name value} pairs (see {@link ChaosRun}), each read where it
 * is used, with its default there.
 */
record ChaosOptions(Map<String, String> values) {

    ChaosOptions {
        values = Map.copyOf(values);
    }

    static ChaosOptions parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        return new ChaosOptions(options);
    }

    String get(String option, String otherwise) {
        return values.getOrDefault(option, otherwise);
    }

    /** @return {@code null} when the option is not given */
    String get(String option) {
        return values.get(option);
    }

    int seconds(String option, int otherwise) {
        return Integer.parseInt(get(option, Integer.toString(otherwise)));
    }

    double share(String option, double otherwise) {
        return Double.parseDouble(get(option, Double.toString(otherwise)));
    }
}
