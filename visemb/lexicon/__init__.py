"""Word meaning, apart from pictures: a word's senses in WordNet (:mod:`visemb.lexicon.senses`) and its labels in
other languages from the shipped dictionaries (:mod:`visemb.lexicon.foreign_labels`). Image sources
(:mod:`visemb.sources`) only fetch pictures; they ask the lexicon what a word means."""
