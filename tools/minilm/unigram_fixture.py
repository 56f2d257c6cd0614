#!/usr/bin/env python3
"""Write bert/testdata/unigram/: a tiny XLM-RoBERTa sentence-transformers
model with a SentencePiece-style Unigram tokenizer, and its reference
vectors and pieces, to test package bert's Unigram tokenizer and its
XLM-R position ids against Hugging Face.

    . venv/bin/activate   # with tools/minilm/requirements.txt installed
    python tools/minilm/unigram_fixture.py [OUT_DIR]

Everything is made here, offline: the tokenizer is trained on the strings
below, the model has random weights (seeded). Reruns may number the pieces
differently (the trainer is not deterministic), but the files written
together always agree, which is all the test needs. The tokenizer normalises
with NFKC, which package bert also uses in place of the precompiled character
map of real XLM-R tokenizers.
"""

import base64
import json
import os
import sys

import numpy as np
import torch
from sentence_transformers import SentenceTransformer, models
from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors, trainers
from tokenizers import models as tmodels
from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

CORPUS = [
    "I'm learning Python and data science",
    "Beat Saber is a rhythm game for fitness",
    "Practice public speaking in virtual reality",
    "Estoy aprendiendo español con aplicaciones de realidad virtual",
    "J'apprends le français à l'université",
    "Ich möchte Programmieren lernen",
    "我想学习机器学习和数据科学",
    "日本語を勉強しています",
    "한국어를 배우고 싶어요",
    "أريد تعلم البرمجة",
    "Я изучаю русский язык",
    "machine learning, deep learning, statistics and algorithms",
    "cybersecurity tools: Wireshark, Metasploit, Burp Suite",
    "course 95-729 e-commerce technology",
    "the quick brown fox jumps over the lazy dog",
] * 3

TEXTS = [
    "I'm learning Python",
    "learning",
    "Beat Saber. fitness. A rhythm game",
    "pyhton",
    "Estoy aprendiendo español",
    "Ich möchte lernen",
    "我想学习",
    "日本語",
    "한국어",
    "مرحبا",
    "Я изучаю",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ ﬁ",
    "95-729",
    "  leading and  double  spaces ",
    "zebra xylophone quetzal",
    "emoji 🚀 and symbols ∑",
    "",
    "<s> special </s> tokens <unk>",
    "a  <mask> lstrip",
    "QQQ ZZZ §§ unknown runs",
    "tab\tand\nnewline",
    "a" * 60,
    "the quick brown fox jumps over the lazy dog the quick brown fox jumps over the lazy dog again and again",
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "bert/testdata/unigram"
    model_dir = os.path.join(out, "model")
    torch.manual_seed(729)

    tok = Tokenizer(tmodels.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(
        vocab_size=300, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"], unk_token="<unk>",
        shrinking_factor=0.75, max_piece_length=8)
    tok.train_from_iterator(CORPUS, trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
    hf_tok = XLMRobertaTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=512)

    config = XLMRobertaConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=40, type_vocab_size=1, pad_token_id=1,
        bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5, initializer_range=0.2, hidden_act="gelu")
    xlmr = XLMRobertaModel(config, add_pooling_layer=False).eval()

    tmp = os.path.join(out, "hf")
    xlmr.save_pretrained(tmp, safe_serialization=True)
    hf_tok.save_pretrained(tmp)
    transformer = models.Transformer(tmp, max_seq_length=24)
    pooling = models.Pooling(32, pooling_mode="mean")
    st = SentenceTransformer(modules=[transformer, pooling, models.Normalize()], device="cpu")
    st.save(model_dir)
    for root, _, files in os.walk(tmp, topdown=False):
        for f in files:
            os.remove(os.path.join(root, f))
        os.rmdir(root)
    for junk in ("README.md", "config_sentence_transformers.json", "special_tokens_map.json"):
        p = os.path.join(model_dir, junk)
        if os.path.exists(p):
            os.remove(p)

    st = SentenceTransformer(model_dir, device="cpu")
    vectors = st.encode(TEXTS, batch_size=1, normalize_embeddings=True, convert_to_numpy=True)
    cases = []
    for t, v in zip(TEXTS, vectors):
        # sentence-transformers strips each text before tokenising it.
        ids = st.tokenizer(t.strip(), add_special_tokens=False)["input_ids"]
        cases.append({
            "text": t,
            "tokens": st.tokenizer.convert_ids_to_tokens(ids),
            "vector": base64.b64encode(np.asarray(v, dtype="<f4").tobytes()).decode("ascii"),
        })
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump({"dim": 32, "max_seq_length": st.max_seq_length, "cases": cases}, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(f"{out}: {len(cases)} cases, vocabulary of {tok.get_vocab_size()} pieces")


if __name__ == "__main__":
    main()
