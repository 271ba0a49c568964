"""Language names for the label languages, and the example words the README and the app suggest (each one a test:
``tests/test_examples.py`` holds its answer)."""

from __future__ import annotations

NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
         "nl": "Dutch", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian", "cs": "Czech", "sk": "Slovak",
         "sl": "Slovenian", "hr": "Croatian", "sr": "Serbian", "bg": "Bulgarian", "mk": "Macedonian",
         "be": "Belarusian",
         "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian", "fi": "Finnish", "hu": "Hungarian", "ro": "Romanian",
         "el": "Greek", "tr": "Turkish", "ar": "Arabic", "he": "Hebrew", "fa": "Persian", "ur": "Urdu", "hi": "Hindi",
         "bn": "Bengali", "ta": "Tamil", "te": "Telugu", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
         "vi": "Vietnamese", "th": "Thai", "id": "Indonesian", "ms": "Malay", "tl": "Tagalog", "sv": "Swedish",
         "da": "Danish", "no": "Norwegian", "is": "Icelandic", "ga": "Irish", "cy": "Welsh", "eu": "Basque",
         "ca": "Catalan", "gl": "Galician", "sq": "Albanian", "eo": "Esperanto", "la": "Latin", "af": "Afrikaans",
         "sw": "Swahili", "ka": "Georgian", "hy": "Armenian", "kk": "Kazakh", "az": "Azerbaijani", "uz": "Uzbek"}

# (word, language, the answer the shipped offline photos give), suggested by the app and the README
EXAMPLES = (("chien", "fr", "dog"), ("狗", "zh", "dog"), ("pies", "pl", "dog"), ("kot", "pl", "cat"),
            ("parapluie", "fr", "umbrella"), ("Regenschirm", "de", "umbrella"), ("香蕉", "zh", "banana"),
            ("fraise", "fr", "strawberry"), ("Goldfisch", "de", "goldfish"), ("perro", "es", "dog"),
            ("Hund", "de", "dog"), ("Schmetterling", "de", "butterfly"), ("бабочка", "ru", "butterfly"),
            ("jirafa", "es", "giraffe"), ("Baum", "de", "tree"))


def language_name(code: str) -> str:
    """``de`` -> ``German``; the code itself for a language without a name here."""
    return NAMES.get(code, code)
