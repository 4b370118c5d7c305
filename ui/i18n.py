"""The UI's words in English and Simplified Chinese (gr.I18n): the browser's language picks one.

``t(key)`` fails at build time for a key missing from the English table, and a test checks that both
tables have the same keys, so no label can show up as a raw key.
"""

from __future__ import annotations

import gradio as gr

EN: dict[str, str] = {
    "app.title": "## Short studio\nOne idea to a postable vertical short: storyboard, shots, captions, music, export.",
    "tab.idea": "Idea", "tab.storyboard": "Storyboard", "tab.shots": "Shots", "tab.finish": "Finish",
    "tab.export": "Export", "tab.projects": "Projects", "tab.batch": "Batch",
    "common.status": "Status", "common.stop": "Stop", "common.downloads": "Downloads",
    "idea.idea": "Your idea", "idea.placeholder": "e.g. A cat who opens a tiny coffee shop in Shanghai",
    "idea.language": "Caption language", "idea.seconds": "Length (s)", "idea.preset": "Platform",
    "idea.style": "Style", "idea.more": "Reference pictures and your own script",
    "idea.references": "Reference pictures (character / product): used as the first shots' source images",
    "idea.notes": "Reference notes (who or what must look the same in every shot)",
    "idea.script": "Your own script (optional): the writer only splits it into shots",
    "idea.write": "Write storyboard", "idea.make": "Make it (idea → draft clip)", "idea.draft": "Draft clip",
    "idea.own_media": "From my own images and clips", "idea.media": "Images and clips, in shot order",
    "idea.captions": "Captions, one line per shot",
    "idea.captions_info": "Line 1 goes on shot 1, line 2 on shot 2, ... a blank line leaves a shot without one.",
    "idea.use_media": "Use these as the storyboard",
    "idea.examples": "Examples: click one to fill in the idea", "idea.sample": "Open the sample project",
    "board.shots": "Shots", "board.pick": "Shot", "board.add": "Add", "board.duplicate": "Duplicate",
    "board.delete": "Delete", "board.prompt": "Visual prompt", "board.caption": "Caption",
    "board.voiceover": "Voice-over line", "board.seconds": "Length (s)", "board.camera": "Camera move",
    "board.transition": "Transition in", "board.source": "Source",
    "board.source_file": "Source image or clip", "board.save": "Save shot", "board.enhance": "Enhance prompt",
    "board.details": "Title, description, hashtags and the bible", "board.title": "Title",
    "board.hashtags": "Hashtags", "board.description": "Description", "board.look": "Look (every shot)",
    "board.characters": "Characters and objects",
    "board.characters_info": "One a line: Name: description; Name (voice): description gives the character a voice "
                             "for lines written Name: words",
    "board.save_details": "Save details",
    "board.fx": "Effects, speed and look", "board.transition_s": "Transition length (s)",
    "board.fx_look": "Colour look", "board.look_file": "Your look (.cube file)",
    "board.speed": "Speed (1 = normal)", "board.reverse": "Play backwards",
    "board.speed_audio": "Clip sound with speed or reverse",
    "board.effects": "Effects, one a line, as MoviePy writes them",
    "board.effects_info": "e.g. FadeIn(0.5) · FadeOut(0.5) · GammaCorrection(0.8) · BlackAndWhite() · Painting() · "
                          "MirrorX() · SlideIn(0.4, 'left') · Freeze(t=1, freeze_duration=0.5). Any other "
                          "moviepy.video.fx effect (Rotate(10), Blink(0.2, 0.2)) runs through MoviePy itself: slow.",
    "board.preview_frame": "Preview this shot", "board.preview_clip": "Preview its transition (short clip)",
    "board.preview": "Shot preview", "board.preview_video": "Transition preview",
    "shots.backend": "Video backend", "shots.model": "Model (id or folder; blank: default)",
    "shots.terms": "Weights of {model}: {licence}, {terms}.", "shots.terms.yes": "commercial use allowed",
    "shots.terms.conditions": "commercial use has conditions: read the model card before posting for money",
    "shots.terms.no": "non-commercial: not for posts that earn money",
    "shots.terms.unknown": "Weights of {model}: not a model the studio knows; read its model card for its licence.",
    "shots.terms.none": "Still-image drafts use no model weights.",
    "shots.steps": "Steps (0: default)", "shots.render_all": "Generate all", "shots.render_one": "Generate this shot",
    "shots.table": "Shot status", "shots.more": "Variations, extend and bridge", "shots.count": "Variations",
    "shots.vary": "Make variations", "shots.variations": "Variations: click one, then keep it",
    "shots.choose": "Keep the clicked variation", "shots.extend_s": "Extend by (s)", "shots.extend": "Extend",
    "shots.bridge": "Bridge to the next shot", "shots.gallery": "Shots",
    "finish.style": "Caption style", "finish.hook": "Hook title (opening seconds)", "finish.library": "Bundled music",
    "finish.beat_sync": "Cut on the beat", "finish.listen": "Listen", "finish.upload": "Your music",
    "finish.label": "Show the AI label on screen (always in the file's metadata)",
    "finish.cover": "Cover frame at (s; blank: automatic)", "finish.preview_at": "Preview at (s)",
    "finish.preview": "Preview frame", "finish.show_cover": "Show the cover frame",
    "finish.look": "Colour look (every shot)", "finish.look_file": "Your look (.cube file)",
    "finish.effects": "Colour effects on every shot, one a line",
    "finish.effects_info": "e.g. GammaCorrection(0.9) · LumContrast(lum=10, contrast=0.2) · BlackAndWhite() · "
                           "MultiplyColor(1.1)",
    "export.draft": "Draft render (fast)", "export.final": "Final render", "export.posting": "Posting text",
    "export.video": "Video",
    "export.editor": "Open in your editor", "export.editor_format": "Editor",
    "export.editor_file": "Editor folder (zip): unzip it, then see README.md inside",
    **{f"choice.editor.{k}": v for k, v in {
        "mlt": "Shotcut (MLT)", "otio": "DaVinci Resolve / Premiere / Kdenlive (OTIO)",
        "fcpxml": "Final Cut Pro (FCPXML)", "fcp7": "Premiere Pro / Resolve (FCP7 XML)",
        "edl": "Any editor, cuts only (EDL)",
        "jianying": "Jianying / CapCut draft (experimental)"}.items()},
    "projects.mine": "My projects", "projects.open": "Open", "projects.new": "New project",
    "projects.download": "Download the project bundle (zip)", "projects.bundle": "Project bundle",
    "projects.upload": "Open a project bundle (zip)",
    "batch.ideas": "Ideas, one a line (or CSV with an idea column)",
    "batch.info": "Each idea becomes one draft clip in its own folder.", "batch.run": "Run the batch",
    "batch.results": "Results",
    "finish.none": "— none —", "finish.empty": "Write a storyboard first: the preview shows a frame of your short.",
    "board.col.caption": "caption", "board.col.camera": "camera", "board.col.source": "source",
    "board.col.status": "status", "shots.col.backend": "backend", "shots.col.variations": "variations",
    "status.written": "{count} shots by the {backend} writer in {seconds:.1f} s",
    "status.own_media": "{count} shots from your media",
    "status.sample": "The sample project (pictures drawn by code, CC0) is now yours to edit; its draft:",
    "status.shots": "{generated} generated, {cached} from the cache ({backend}{draft}) in {seconds:.1f} s",
    "status.draft": ", draft", "status.pick_variation": "Click a variation first.",
    "status.kept": "Variation {number} kept.", "status.autosaved": "Autosaved: `{id}` · {count} shots",
    "status.unsaved": "Not saved yet: write a storyboard to start.",
    "status.preview": "Preview: {error}",
    "status.done": "Done: {seconds:.1f} s video, {mb:.1f} MB ({preset}), rendered in {elapsed:.1f} s",
    "status.mastered": "Sound mastered to {lufs:.1f} LUFS",
    "status.signed": "Content credentials (C2PA): signed",
    "status.warning": "Warning: {text}",
    "status.edit": "Editor hand-off ({format}): {file} and {files} more files, {frames} frames. Open README.md inside "
                   "for how to open it and what this format cannot carry.",
    "status.edit_gaps": "shot(s) {shots} not rendered yet: exported as gaps",
    # sentences and statuses made on the server (issue 16.5)
    "progress.writing": "Writing the storyboard", "progress.checking": "Checking the project",
    "progress.shot": "Shot {shot}/{count}{left}", "progress.rendering": "Rendering{left}",
    "progress.media": "Media{left}", "progress.left": " · ~{seconds:.0f} s left",
    **{f"progress.stage.{k}": f"{k} done" for k in ("script", "project", "narration", "shots", "compose")},
    # narration (issue 12): the Idea tab's voice, the Storyboard tab's narration panel
    "progress.speaking": "Speaking line {line}/{count}",
    "idea.voice": "Narration", "idea.voice_info": "auto: the best voice here for the language; none: no voice",
    **{f"choice.voice.{k}": v for k, v in {
        "auto": "auto", "espeak": "espeak-ng (offline)", "piper": "Piper (neural)", "openai": "speech server",
        "none": "none"}.items()},
    "board.narration": "Narration: voice, speed and timed words", "board.voice_backend": "Voice engine",
    "board.voice_name": "Voice", "board.voice_speed": "Speaking rate (1 = natural)",
    "board.voice_sample": "Preview line", "board.voice_sample_hint": "Blank: the first voice-over line",
    "board.voice_sample_default": "This is how the narration will sound.", "board.voice_listen": "Listen",
    "board.voice_preview": "Preview", "board.narrate_all": "Narrate every shot",
    "board.narrate_shot": "Regenerate this shot's narration", "board.narration_audio": "This shot's narration",
    "board.words": "Words and their times", "board.col.word": "word", "board.col.start": "start (s)",
    "board.col.end": "end (s)", "board.narration_none": "No narration yet: narrate the shots to hear them.",
    "board.narration_own": "Your own recording (kept; regenerate to replace it with a voice).",
    "board.narration_info": "Spoken by {backend} · {voice} · {speed:.2f}x · {seconds:.1f} s · word times: {timing}",
    **{f"name.timing.{k}": v for k, v in {"model": "from the voice model", "engine": "from the speech engine",
                                          "aligned": "aligned to the audio", "estimated": "estimated"}.items()},
    "status.narrated": "Narrated {count} shot(s): {spoken} spoken, {cached} from the cache; the clip is "
                       "{seconds:.1f} s.",
    **{f"progress.unit.{k}": k for k in ("steps", "frames", "files", "ideas")},
    **{f"status.shot.{k}": k for k in ("planned", "rendered", "failed")},
    **{f"status.batch.{k}": k for k in ("ok", "skipped", "failed", "cancelled")},
    **{f"name.video.{k}": k for k in ("still", "ltx", "wan")},
    **{f"name.writer.{k}": k for k in ("template", "local", "openai")},
    **{f"name.preset.{k}": k for k in ("douyin", "tiktok", "reels", "shorts", "xiaohongshu", "bilibili", "draft")},
    "common.col.seconds": "s", "shots.seed": "seed {seed}",
    "shots.take": "{kept}seed {seed} · score {score:+.2f} · likeness {likeness} · prompt {adherence:.2f}",
    "board.earlier": "Move earlier",
    "board.later": "Move later", "board.card": "{number} · {seconds:.1f} s · {status} · {takes} takes · {caption}",
    "batch.col.idea": "idea", "batch.col.status": "status", "batch.col.result": "video / error",
    "finish.no_track": "That bundled track does not exist.",
    **{f"choice.music.{k}": v for k, v in {  # each bundled track's label (studio.sound.library)
        "sunny_pop": "Sunny Side (upbeat, bright, feel-good; 112 BPM)",
        "lofi_chill": "Late Window (calm, lofi, study, cozy; 84 BPM)",
        "cinematic_rise": "Northern Light (cinematic, epic, emotional; 96 BPM)",
        "electro_drive": "Night Drive (energetic, electronic, hype; 128 BPM)"}.items()},
    **{f"choice.camera.{k}": v for k, v in {
        "auto": "Automatic", "none": "Still (no move)", "push_in": "Push in", "pull_out": "Pull out",
        "pan_left": "Pan left", "pan_right": "Pan right", "tilt_up": "Tilt up", "tilt_down": "Tilt down",
        "parallax": "Parallax"}.items()},
    **{f"choice.transition.{k}": v for k, v in {
        "cut": "Cut", "crossfade": "Crossfade", "fade": "Fade through black", "slide_left": "Slide left",
        "slide_right": "Slide right", "slide_up": "Slide up", "slide_down": "Slide down", "zoom_in": "Zoom in",
        "zoom_out": "Zoom out", "whip_left": "Whip left", "whip_right": "Whip right",
        "flash": "Flash (through white)"}.items()},
    **{f"choice.look.{k}": v for k, v in {
        "own": "Your .cube file (upload it)", "teal_orange": "Teal & orange", "warm_film": "Warm film",
        "cool_night": "Cool night", "mono_noir": "Mono noir", "vivid_pop": "Vivid pop"}.items()},
    **{f"choice.speed_audio.{k}": v for k, v in {"follow": "Follows the picture", "mute": "Muted"}.items()},
    **{f"choice.source.{k}": v for k, v in {
        "own": "My own picture or clip, as it is", "text": "Generate from the prompt", "image": "Animate a picture",
        "clip": "Restyle a clip", "previous": "Continue the previous shot", "bridge": "Bridge between shots"}.items()},
    **{f"choice.language.{k}": v for k, v in {"auto": "Same as the idea", "zh": "Chinese", "en": "English"}.items()},
    **{f"choice.preset.{k}": v for k, v in {
        "douyin": "Douyin", "tiktok": "TikTok", "reels": "Instagram Reels", "shorts": "YouTube Shorts",
        "xiaohongshu": "Xiaohongshu", "bilibili": "Bilibili", "draft": "Draft (540x960, fast)"}.items()},
    **{f"choice.style.{k}": v for k, v in {
        "cinematic": "Cinematic", "anime": "Anime", "3d_cartoon": "3D cartoon", "documentary": "Documentary",
        "product_ad": "Product ad", "vlog": "Vlog", "watercolor": "Watercolor", "cyberpunk": "Cyberpunk"}.items()},
    **{f"choice.caption.{k}": v for k, v in {
        "bold_stroke": "Bold with outline", "shadow": "Soft shadow", "box": "White on a dark box",
        "yellow_pop": "Yellow pop", "serif_subtitle": "Serif subtitle",
        "word_pop": "One word at a time (pop)"}.items()},
    **{f"choice.backend.{k}": v for k, v in {
        "auto": "Automatic (GPU model if present, else still drafts)", "ltx": "LTX-Video (GPU)",
        "wan": "Wan 2.x (GPU)", "still": "Still-image motion (CPU draft)"}.items()},
    # this machine and its models (issue 16: the status and Models panels)
    "tab.machine": "This machine",
    "machine.hardware": "Hardware", "machine.gpu": "GPU", "machine.cpu": "CPU",
    "machine.disk_data": "Disk for projects and renders", "machine.disk_models": "Disk for models (HF cache)",
    "machine.tier": "Tier", "machine.no_gpu": "no NVIDIA GPU",
    "machine.no_torch": "not installed (the model tier: pip install \".[gpu]\")",
    "machine.cores": "{cores} cores", "machine.cores_usable": "({usable} usable here)", "machine.free": "{size} free",
    "machine.commercial_on": "Commercial use is on (STUDIO_COMMERCIAL_USE): non-commercial weights are refused.",
    "machine.col.part": "Part", "machine.col.here": "On this machine",
    "common.colon": ": ", "common.space": " ", "common.paren": "({text})",
    "machine.stages": "What each stage uses", "machine.found": "Found",
    "machine.missing": "Would add",
    "machine.action": "To get it", "machine.check": "Check again", "machine.details": "What this machine can do",
    "machine.summary": "{head} · script: {script} · voice: {voice}",
    "machine.summary_still": "CPU drafts: still images", "machine.summary_video": "{tier}: {backend} video",
    "machine.unknown": "unknown",
    **{f"machine.stage.{k}": v for k, v in {
        "script": "Script", "keyframes": "Keyframes", "video": "Video", "voice": "Voice",
        "transcription": "Transcription", "music": "Music", "scale_out": "Scale-out"}.items()},
    **{f"machine.tier.{k}": v for k, v in {"cpu": "CPU", "24gb": "24 GB GPU", "80gb": "80 GB GPU"}.items()},
    **{f"machine.backend.{k}": v for k, v in {
        "template": "template", "local": "local model", "openai": "OpenAI-compatible endpoint",
        "still_draft": "still (draft)", "ltx": "LTX-Video", "wan": "Wan", "your_recording": "your recording",
        "not_in_this_version": "not in this version", "bundled_library": "bundled library",
        "in_process": "in process", "this_machine": "this machine", "ray_cluster": "Ray cluster",
        "ray_not_installed": "Ray (not installed)", "none_text_cards": "none (text cards)"}.items()},
    "models.title": "Models", "models.where": "This machine: {tier}. Models go to the HF cache, {free} free",
    **{f"models.col.{k}": v for k, v in {
        "model": "Model", "for": "For", "size": "Download", "licence": "Licence", "here": "Here",
        "adds": "What it adds"}.items()},
    "models.more_than_here": "(more than this machine has)", "models.non_commercial": "non-commercial weights",
    "models.conditions": "conditions on commercial use", "models.refused": "refused: STUDIO_COMMERCIAL_USE is on",
    **{f"models.state.{k}": v for k, v in {
        "installed": "downloaded", "partly_downloaded": "partly downloaded",
        "not_downloaded": "not downloaded"}.items()},
    "models.not_in_version": "(the {stage} stage is not in this version)",
    "models.others": "Other models in the HF cache",
    "models.sizes_note": "Sizes are the Hub's file listings (≥ where only some files could be looked up); a model "
                         "takes on disk what it downloads. A download reads the exact size first and checks the "
                         "free disk against it; Stop keeps what was fetched, and the next download resumes it.",
    "models.pick": "Model", "models.pick_info": "A recommended model, or any Hugging Face id",
    "models.download": "Download", "models.remove": "Remove",
    "models.view_only": "Models are downloaded by whoever runs the studio, with `python -m studio models download "
                        "ID`; this page shows what is there.",
    "models.view_only_error": "This page may not download or remove models: whoever runs the studio does that "
                              "with python -m studio models.",
    "models.pick_one": "Choose a model first.", "models.starting": "Looking up {model} on the Hub",
    "models.progress": "{done} / {total} · file {file}/{files}",
    "models.downloaded": "Downloaded {model}: {files} files, {size} ({fetched} fetched, {seconds:.1f} s).",
    "models.resumed": "{size} of it came from an earlier, interrupted download.",
    "models.removed": "Removed {model} from the HF cache ({size} freed).",
    # captions from the creator's own voice (issue 12)
    "voicecap.title": "Captions from my voice",
    "voicecap.info": "Upload or record your voice-over, or leave it empty to use the project's own: every shot's "
                     "caption and its word timings are filled from what you say. Edit them afterwards like any "
                     "caption.",
    "voicecap.recording": "Your recording (optional)", "voicecap.language": "Language spoken",
    "voicecap.script": "Chinese characters", "voicecap.run": "Fill the captions from my voice",
    "voicecap.done": "Captions from your voice on shot(s) {shots}.",
    **{f"choice.voicecap_language.{k}": v for k, v in {"auto": "Detect it", "zh": "Chinese", "en": "English"}.items()},
    **{f"choice.chinese_script.{k}": v for k, v in {"simplified": "Simplified", "traditional": "Traditional"}.items()},
    # -- keyframes (ui/keyframes.py) --
    "tab.keyframes": "Keyframes",
    "keyframes.backend": "Keyframe model family", "keyframes.model": "Keyframe model (id or folder; blank: default)",
    "keyframes.candidates": "Keyframes per shot (best kept)",
    "keyframes.terms.none": "No keyframe model here: without a GPU, keyframes are an opt-in (SD-Turbo, "
                            "non-commercial weights); drafts show title cards or your pictures.",
    "keyframes.terms.optin": "You opted in to non-commercial weights: not for posts that earn money.",
    "keyframes.terms.refused": "Refused here: STUDIO_COMMERCIAL_USE is on.",
    "keyframes.draw_sheet": "Draw the character sheet", "keyframes.draw_all": "Draw keyframes",
    "keyframes.draw_one": "Redraw this shot's keyframe", "keyframes.upload_title": "Your picture of a character",
    "keyframes.character": "Character", "keyframes.picture": "Picture (a still, at least 64 px)",
    "keyframes.use_picture": "Use as the character's reference",
    "keyframes.takes": "Takes", "keyframes.make_takes": "Make takes of this shot",
    "keyframes.retake": "Retake flagged shots", "keyframes.scores": "Takes of this shot",
    "keyframes.take_number": "Take", "keyframes.keep_take": "Keep this take",
    "keyframes.ranks_note": "Scores rank takes by likeness to the character sheet and to the prompt (CLIP/SigLIP). "
                            "They never veto one: keep the take you like.",
    "keyframes.sheet": "Character sheet", "keyframes.gallery": "Keyframes", "keyframes.shot": "Shot {number}",
    "keyframes.flagged": "drifts", "keyframes.col.kept": "kept", "keyframes.col.character": "like the character",
    "keyframes.col.prompt": "like the prompt", "keyframes.col.rank": "rank score",
    "keyframes.status.sheet": "Character sheet: {made} drawn, {cached} from the cache.",
    "keyframes.status.drawn": "Keyframes: {drawn} drawn, {cached} from the cache, with {model} in {seconds:.0f} s.",
    "keyframes.status.pick_character": "Choose a character and a picture first.",
    "keyframes.status.reference": "{name}'s reference picture saved.",
    "keyframes.status.pick_shot": "Choose a shot first.",
    "keyframes.status.takes": "{count} takes scored; take {chosen} kept.",
    "keyframes.status.flagged": "Shot(s) {shots} drift from their character: retake them.",
    "keyframes.status.none_flagged": "No shot drifts from its character.",
    "keyframes.status.retaken": "Retook shot(s) {shots}; {better} got a better take.",
    **{f"choice.image_backend.{k}": v for k, v in {
        "auto": "Auto", "flux2": "FLUX.2-klein (Apache-2.0)", "sd-turbo": "SD-Turbo (CPU, non-commercial weights)",
        "flux": "FLUX.1", "diffusers": "Any diffusers model"}.items()},
    # -- storyboard cards (drag) --
    "board.strip": "Storyboard: click a card to edit its shot, drag it onto another card to move it there",
    "board.strip_empty": "No shots yet: write a storyboard on the Idea tab.",
    "board.ends_on_next": "End on the next shot's picture (seamless cut)",
    "board.ends_on_next_info": "Needs LTX or Wan's first-last-frame model; for a shot made from an image that has a "
                               "shot after it.",
    "keyframes.kind": "What it is", "keyframes.kind_info": "A person's picture must show a face.",
    "keyframes.status.kind": "{name}: {kind}, saved.",
    **{f"choice.entry_kind.{k}": v for k, v in {
        "unsaid": "Not said", "person": "Person", "creature": "Creature (an animal, a monster)", "object": "Object",
        "place": "Place"}.items()},
    "choice.image_backend.qwen": "Qwen-Image (Apache-2.0, a large GPU)",  # HEAD lists the backend without a label
}

ZH: dict[str, str] = {
    "app.title": "## 短视频工作室\n一个想法变成可发布的竖屏短视频：分镜、镜头、字幕、音乐、导出。",
    "tab.idea": "创意", "tab.storyboard": "分镜", "tab.shots": "镜头", "tab.finish": "包装",
    "tab.export": "导出", "tab.projects": "项目", "tab.batch": "批量",
    "common.status": "状态", "common.stop": "停止", "common.downloads": "下载",
    "idea.idea": "你的创意", "idea.placeholder": "例如：一只猫在上海开了一家小咖啡店",
    "idea.language": "字幕语言", "idea.seconds": "时长（秒）", "idea.preset": "平台", "idea.style": "风格",
    "idea.more": "参考图和自己的脚本",
    "idea.references": "参考图（人物/产品）：作为前几个镜头的源图",
    "idea.notes": "参考说明（每个镜头都要保持一致的人或物）",
    "idea.script": "自己的脚本（可选）：只负责拆分成镜头",
    "idea.write": "生成分镜", "idea.make": "一键成片（创意 → 草稿视频）", "idea.draft": "草稿视频",
    "idea.own_media": "用我自己的图片和视频", "idea.media": "图片和视频，按镜头顺序",
    "idea.captions": "字幕，每行一个镜头",
    "idea.captions_info": "第 1 行给镜头 1，第 2 行给镜头 2……空行表示该镜头无字幕。",
    "idea.use_media": "用这些作为分镜",
    "idea.examples": "示例：点一个填入创意", "idea.sample": "打开示例项目",
    "board.shots": "镜头", "board.pick": "镜头", "board.add": "添加", "board.duplicate": "复制",
    "board.delete": "删除", "board.prompt": "画面提示词", "board.caption": "字幕", "board.voiceover": "配音台词",
    "board.seconds": "时长（秒）", "board.camera": "运镜", "board.transition": "转场", "board.source": "来源",
    "board.source_file": "源图片或视频", "board.save": "保存镜头", "board.enhance": "优化提示词",
    "board.details": "标题、简介、话题和设定集", "board.title": "标题", "board.hashtags": "话题标签",
    "board.description": "简介", "board.look": "画面风格（所有镜头）", "board.characters": "角色和物品",
    "board.characters_info": "每行一个：名字: 描述；写成 名字 (声音): 描述 则该角色用这个声音说“名字: 台词”形式的台词",
    "board.save_details": "保存",
    "board.fx": "特效、变速和调色", "board.transition_s": "转场时长（秒）", "board.fx_look": "调色风格",
    "board.look_file": "自己的调色（.cube 文件）", "board.speed": "速度（1 为原速）", "board.reverse": "倒放",
    "board.speed_audio": "变速或倒放时的原声", "board.effects": "特效，每行一个，写法同 MoviePy",
    "board.effects_info": "例如 FadeIn(0.5) · FadeOut(0.5) · GammaCorrection(0.8) · BlackAndWhite() · Painting() · "
                          "MirrorX() · SlideIn(0.4, 'left') · Freeze(t=1, freeze_duration=0.5)。其他 moviepy.video.fx "
                          "特效（Rotate(10)、Blink(0.2, 0.2)）由 MoviePy 本身处理，较慢。",
    "board.preview_frame": "预览这个镜头", "board.preview_clip": "预览转场（短片）", "board.preview": "镜头预览",
    "board.preview_video": "转场预览",
    "shots.backend": "视频后端", "shots.model": "模型（ID 或文件夹；留空为默认）", "shots.steps": "步数（0 为默认）",
    "shots.terms": "{model} 的权重：{licence}，{terms}。", "shots.terms.yes": "允许商用",
    "shots.terms.conditions": "商用有条件：用于盈利发布前请阅读模型卡",
    "shots.terms.no": "非商用：不可用于盈利的发布",
    "shots.terms.unknown": "{model}：不是工作室已知的模型，请阅读其模型卡了解许可。",
    "shots.terms.none": "静态草稿不使用模型权重。",
    "shots.render_all": "全部生成", "shots.render_one": "生成当前镜头", "shots.table": "镜头状态",
    "shots.more": "多版本、延长和衔接", "shots.count": "版本数", "shots.vary": "生成多个版本",
    "shots.variations": "多个版本：点选一个再保留", "shots.choose": "保留选中的版本", "shots.extend_s": "延长（秒）",
    "shots.extend": "延长", "shots.bridge": "衔接到下一个镜头", "shots.gallery": "镜头",
    "finish.style": "字幕样式", "finish.hook": "开场标题", "finish.library": "内置音乐", "finish.beat_sync": "卡点",
    "finish.listen": "试听", "finish.upload": "上传音乐",
    "finish.label": "在画面上显示 AI 生成标识（元数据中始终写入）",
    "finish.cover": "封面时间（秒；留空自动）", "finish.preview_at": "预览时间（秒）", "finish.preview": "预览画面",
    "finish.show_cover": "显示封面画面",
    "finish.look": "调色风格（所有镜头）", "finish.look_file": "自己的调色（.cube 文件）",
    "finish.effects": "所有镜头的色彩特效，每行一个",
    "finish.effects_info": "例如 GammaCorrection(0.9) · LumContrast(lum=10, contrast=0.2) · BlackAndWhite() · "
                           "MultiplyColor(1.1)",
    "export.draft": "快速草稿", "export.final": "正式导出", "export.posting": "发布文案", "export.video": "视频",
    "export.editor": "在剪辑软件中打开", "export.editor_format": "剪辑软件",
    "export.editor_file": "剪辑工程文件夹（zip）：解压后先看其中的 README.md",
    **{f"choice.editor.{k}": v for k, v in {
        "mlt": "Shotcut（MLT）", "otio": "达芬奇 / Premiere / Kdenlive（OTIO）", "fcpxml": "Final Cut Pro（FCPXML）",
        "fcp7": "Premiere Pro / 达芬奇（FCP7 XML）", "edl": "任意剪辑软件，仅剪切点（EDL）",
        "jianying": "剪映 / CapCut 草稿（实验性）"}.items()},
    "projects.mine": "我的项目", "projects.open": "打开", "projects.new": "新建项目",
    "projects.download": "下载项目包（zip）", "projects.bundle": "项目包", "projects.upload": "打开项目包（zip）",
    "batch.ideas": "创意，每行一个（或带 idea 列的 CSV）", "batch.info": "每个创意生成一个草稿视频，各自一个文件夹。",
    "batch.run": "开始批量", "batch.results": "结果",
    "finish.none": "— 无 —", "finish.empty": "请先生成分镜：这里会显示成片的一帧预览。",
    "board.col.caption": "字幕", "board.col.camera": "运镜", "board.col.source": "来源", "board.col.status": "状态",
    "shots.col.backend": "后端", "shots.col.variations": "版本数",
    "status.written": "已用{backend}写好 {count} 个镜头，用时 {seconds:.1f} 秒",
    "status.own_media": "用你的素材生成了 {count} 个镜头",
    "status.sample": "示例项目（画面由代码绘制，CC0）已复制为你的项目，可以编辑；草稿如下：",
    "status.shots": "新生成 {generated} 个，缓存复用 {cached} 个（{backend}{draft}），用时 {seconds:.1f} 秒",
    "status.draft": "，草稿", "status.pick_variation": "请先点选一个版本。",
    "status.kept": "已保留第 {number} 个版本。", "status.autosaved": "已自动保存：`{id}` · {count} 个镜头",
    "status.unsaved": "尚未保存：先生成分镜。",
    "status.preview": "预览：{error}",
    "status.done": "完成：{seconds:.1f} 秒视频，{mb:.1f} MB（{preset}），渲染用时 {elapsed:.1f} 秒",
    "status.mastered": "响度已标准化到 {lufs:.1f} LUFS",
    "status.signed": "内容凭证（C2PA）：已签名",
    "status.warning": "注意：{text}",
    "status.edit": "剪辑工程（{format}）：{file} 及另外 {files} 个文件，共 {frames} 帧。"
                   "打开其中的 README.md 查看打开方法和该格式无法携带的内容。",
    "status.edit_gaps": "第 {shots} 个镜头尚未生成：已导出为空白",
    # sentences and statuses made on the server (issue 16.5)
    "progress.writing": "正在写分镜", "progress.checking": "正在检查项目",
    "progress.shot": "镜头 {shot}/{count}{left}", "progress.rendering": "正在渲染{left}",
    "progress.media": "正在整理素材{left}", "progress.left": " · 还剩约 {seconds:.0f} 秒",
    **{f"progress.stage.{k}": v for k, v in {
        "script": "脚本已完成", "project": "项目已建好", "narration": "配音已完成", "shots": "镜头已生成",
        "compose": "合成已完成"}.items()},
    # narration (issue 12)
    "progress.speaking": "正在配音 {line}/{count}",
    "idea.voice": "配音", "idea.voice_info": "自动：用本机最合适的该语言声音；无：不配音",
    **{f"choice.voice.{k}": v for k, v in {
        "auto": "自动", "espeak": "espeak-ng（离线）", "piper": "Piper（神经网络）", "openai": "语音服务器",
        "none": "无"}.items()},
    "board.narration": "配音：声音、语速和逐字时间", "board.voice_backend": "配音引擎",
    "board.voice_name": "声音", "board.voice_speed": "语速（1 为自然）",
    "board.voice_sample": "试听台词", "board.voice_sample_hint": "留空：用第一句配音台词",
    "board.voice_sample_default": "配音听起来就是这样。", "board.voice_listen": "试听",
    "board.voice_preview": "试听", "board.narrate_all": "为所有镜头配音",
    "board.narrate_shot": "重新生成此镜头配音", "board.narration_audio": "此镜头的配音",
    "board.words": "逐字时间", "board.col.word": "词", "board.col.start": "开始（秒）",
    "board.col.end": "结束（秒）", "board.narration_none": "还没有配音：点“为所有镜头配音”来生成。",
    "board.narration_own": "你自己的录音（会保留；重新生成则改用配音声音）。",
    "board.narration_info": "配音：{backend} · {voice} · {speed:.2f} 倍速 · {seconds:.1f} 秒 · 逐字时间：{timing}",
    **{f"name.timing.{k}": v for k, v in {"model": "来自语音模型", "engine": "来自语音引擎",
                                          "aligned": "与音频对齐", "estimated": "估算"}.items()},
    "status.narrated": "已为 {count} 个镜头配音：新生成 {spoken} 个，缓存 {cached} 个；视频时长 {seconds:.1f} 秒。",
    **{f"progress.unit.{k}": v for k, v in {
        "steps": "步", "frames": "帧", "files": "个文件", "ideas": "个创意"}.items()},
    **{f"status.shot.{k}": v for k, v in {"planned": "待生成", "rendered": "已生成", "failed": "失败"}.items()},
    **{f"status.batch.{k}": v for k, v in {
        "ok": "完成", "skipped": "已跳过", "failed": "失败", "cancelled": "已取消"}.items()},
    **{f"name.video.{k}": v for k, v in {"still": "静图", "ltx": "LTX-Video", "wan": "Wan"}.items()},
    **{f"name.writer.{k}": v for k, v in {
        "template": "模板", "local": "本地模型", "openai": "OpenAI 兼容接口"}.items()},
    **{f"name.preset.{k}": v for k, v in {
        "douyin": "抖音", "tiktok": "TikTok", "reels": "Instagram Reels", "shorts": "YouTube Shorts",
        "xiaohongshu": "小红书", "bilibili": "哔哩哔哩", "draft": "草稿"}.items()},
    "common.col.seconds": "秒", "shots.seed": "种子 {seed}",
    "shots.take": "{kept}种子 {seed} · 得分 {score:+.2f} · 角色相似度 {likeness} · 贴合提示词 {adherence:.2f}",
    "board.earlier": "前移", "board.later": "后移",
    "board.card": "{number} · {seconds:.1f} 秒 · {status} · {takes} 个版本 · {caption}",
    "batch.col.idea": "创意", "batch.col.status": "状态", "batch.col.result": "视频 / 错误",
    "finish.no_track": "这首内置曲目不存在。",
    **{f"choice.music.{k}": v for k, v in {
        "sunny_pop": "阳光正好（欢快、明亮、治愈；112 BPM）",
        "lofi_chill": "深夜窗边（舒缓、低保真、学习、温馨；84 BPM）",
        "cinematic_rise": "北方之光（电影感、史诗、动人；96 BPM）",
        "electro_drive": "夜色飞驰（动感、电子、燃；128 BPM）"}.items()},
    **{f"choice.camera.{k}": v for k, v in {
        "auto": "自动", "none": "固定（不运镜）", "push_in": "推镜头", "pull_out": "拉镜头", "pan_left": "左摇",
        "pan_right": "右摇", "tilt_up": "上摇", "tilt_down": "下摇", "parallax": "视差"}.items()},
    **{f"choice.transition.{k}": v for k, v in {
        "cut": "硬切", "crossfade": "叠化", "fade": "黑场过渡", "slide_left": "向左滑入", "slide_right": "向右滑入",
        "slide_up": "向上滑入", "slide_down": "向下滑入", "zoom_in": "推近", "zoom_out": "拉远",
        "whip_left": "向左甩镜", "whip_right": "向右甩镜", "flash": "闪白"}.items()},
    **{f"choice.look.{k}": v for k, v in {
        "own": "自己的 .cube 文件（请上传）", "teal_orange": "青橙色调", "warm_film": "暖色胶片",
        "cool_night": "冷色夜景", "mono_noir": "黑白电影", "vivid_pop": "鲜艳明快"}.items()},
    **{f"choice.speed_audio.{k}": v for k, v in {"follow": "跟随画面", "mute": "静音"}.items()},
    **{f"choice.source.{k}": v for k, v in {
        "own": "直接用我的图片或视频", "text": "按提示词生成", "image": "让图片动起来", "clip": "视频改风格",
        "previous": "接上一个镜头", "bridge": "镜头间衔接"}.items()},
    **{f"choice.language.{k}": v for k, v in {"auto": "跟随创意", "zh": "中文", "en": "英文"}.items()},
    **{f"choice.preset.{k}": v for k, v in {
        "douyin": "抖音", "tiktok": "TikTok", "reels": "Instagram Reels", "shorts": "YouTube Shorts",
        "xiaohongshu": "小红书", "bilibili": "哔哩哔哩", "draft": "草稿（540x960，快速）"}.items()},
    **{f"choice.style.{k}": v for k, v in {
        "cinematic": "电影感", "anime": "动漫", "3d_cartoon": "3D 卡通", "documentary": "纪录片",
        "product_ad": "产品广告", "vlog": "Vlog", "watercolor": "水彩", "cyberpunk": "赛博朋克"}.items()},
    **{f"choice.caption.{k}": v for k, v in {
        "bold_stroke": "粗体描边", "shadow": "柔和阴影", "box": "深色底框白字", "yellow_pop": "醒目黄字",
        "serif_subtitle": "衬线字幕", "word_pop": "逐词弹出"}.items()},
    **{f"choice.backend.{k}": v for k, v in {
        "auto": "自动（有 GPU 用模型，否则静图草稿）", "ltx": "LTX-Video（GPU）", "wan": "Wan 2.x（GPU）",
        "still": "静图运镜（CPU 草稿）"}.items()},
    # this machine and its models (issue 16: the status and Models panels)
    "tab.machine": "本机",
    "machine.hardware": "硬件", "machine.gpu": "GPU", "machine.cpu": "CPU",
    "machine.disk_data": "项目与成片所在磁盘", "machine.disk_models": "模型所在磁盘（HF 缓存）",
    "machine.tier": "档位", "machine.no_gpu": "没有 NVIDIA GPU",
    "machine.no_torch": "未安装（模型组件：pip install \".[gpu]\"）",
    "machine.cores": "{cores} 核", "machine.cores_usable": "（本进程可用 {usable} 核）", "machine.free": "可用 {size}",
    "machine.commercial_on": "已开启商用（STUDIO_COMMERCIAL_USE）：非商用权重的模型会被拒绝下载。",
    "machine.col.part": "部件", "machine.col.here": "本机",
    "common.colon": "：", "common.space": "", "common.paren": "（{text}）",
    "machine.stages": "各环节用什么", "machine.found": "已找到", "machine.missing": "补上后",
    "machine.action": "怎样获得", "machine.check": "重新检查", "machine.details": "本机能做什么",
    "machine.summary": "{head} · 脚本：{script} · 配音：{voice}",
    "machine.summary_still": "CPU 草稿：静图运镜", "machine.summary_video": "{tier}：{backend} 生成视频",
    "machine.unknown": "未知",
    **{f"machine.stage.{k}": v for k, v in {
        "script": "脚本", "keyframes": "关键帧", "video": "视频", "voice": "配音", "transcription": "语音转字幕",
        "music": "音乐", "scale_out": "多机渲染"}.items()},
    **{f"machine.tier.{k}": v for k, v in {"cpu": "CPU", "24gb": "24 GB 显卡", "80gb": "80 GB 显卡"}.items()},
    **{f"machine.backend.{k}": v for k, v in {
        "template": "模板", "local": "本地模型", "openai": "OpenAI 兼容接口", "still_draft": "静图草稿",
        "ltx": "LTX-Video", "wan": "Wan", "your_recording": "你的录音", "not_in_this_version": "此版本暂无",
        "bundled_library": "内置曲库", "in_process": "本进程", "this_machine": "本机", "ray_cluster": "Ray 集群",
        "ray_not_installed": "Ray（未安装）", "none_text_cards": "无（文字卡）"}.items()},
    "models.title": "模型", "models.where": "本机档位：{tier}。模型存放在 HF 缓存，可用 {free}",
    **{f"models.col.{k}": v for k, v in {
        "model": "模型", "for": "用途", "size": "下载大小", "licence": "许可", "here": "本机",
        "adds": "带来什么"}.items()},
    "models.more_than_here": "（超出本机配置）", "models.non_commercial": "非商用权重",
    "models.conditions": "商用有条件", "models.refused": "已拒绝：STUDIO_COMMERCIAL_USE 已开启",
    **{f"models.state.{k}": v for k, v in {
        "installed": "已下载", "partly_downloaded": "下载了一部分", "not_downloaded": "未下载"}.items()},
    "models.not_in_version": "（此版本还没有{stage}环节）",
    "models.others": "HF 缓存中的其他模型",
    "models.sizes_note": "大小来自 Hub 的文件列表（只查到部分文件时标 ≥）；模型占用的磁盘空间与下载量相同。"
                         "下载前会先读取准确大小并检查剩余空间；点“停止”会保留已下载的部分，下次下载从断点继续。",
    "models.pick": "模型", "models.pick_info": "推荐的模型，或任意 Hugging Face 模型 ID",
    "models.download": "下载", "models.remove": "删除",
    "models.view_only": "模型由运行本工作室的人下载：`python -m studio models download ID`；此页面只显示已有的模型。",
    "models.view_only_error": "此页面不能下载或删除模型：请由运行本工作室的人用 python -m studio models 操作。",
    "models.pick_one": "请先选择一个模型。", "models.starting": "正在 Hub 上查找 {model}",
    "models.progress": "{done} / {total} · 第 {file}/{files} 个文件",
    "models.downloaded": "已下载 {model}：{files} 个文件，共 {size}（本次下载 {fetched}，用时 {seconds:.1f} 秒）。",
    "models.resumed": "其中 {size} 来自之前中断的下载。",
    "models.removed": "已从 HF 缓存删除 {model}（释放 {size}）。",
    "voicecap.title": "用我的配音生成字幕",
    "voicecap.info": "上传或录下你的配音，留空则用项目里的配音：每个镜头的字幕和逐字时间都按你说的话填好，"
                     "之后可以像普通字幕一样修改。",
    "voicecap.recording": "你的录音（可选）", "voicecap.language": "说话的语言",
    "voicecap.script": "中文字形", "voicecap.run": "用我的配音填字幕",
    "voicecap.done": "已按你的配音填好镜头 {shots} 的字幕。",
    **{f"choice.voicecap_language.{k}": v for k, v in {"auto": "自动识别", "zh": "中文", "en": "英文"}.items()},
    **{f"choice.chinese_script.{k}": v for k, v in {"simplified": "简体", "traditional": "繁體"}.items()},
    # -- keyframes (ui/keyframes.py) --
    "tab.keyframes": "关键帧",
    "keyframes.backend": "关键帧模型类型", "keyframes.model": "关键帧模型（ID 或文件夹；留空为默认）",
    "keyframes.candidates": "每个镜头的关键帧数（保留最好的）",
    "keyframes.terms.none": "本机没有关键帧模型：没有 GPU 时，关键帧需要主动开启（SD-Turbo，非商用权重）；"
                            "草稿显示标题卡或你的图片。",
    "keyframes.terms.optin": "你已选择非商用权重：不能用于赚钱的作品。",
    "keyframes.terms.refused": "此处拒绝使用：STUDIO_COMMERCIAL_USE 已开启。",
    "keyframes.draw_sheet": "绘制角色设定图", "keyframes.draw_all": "绘制关键帧",
    "keyframes.draw_one": "重绘此镜头的关键帧", "keyframes.upload_title": "你自己的角色图片",
    "keyframes.character": "角色", "keyframes.picture": "图片（静态图，至少 64 像素）",
    "keyframes.use_picture": "用作该角色的参考图",
    "keyframes.takes": "条数", "keyframes.make_takes": "为此镜头生成多条",
    "keyframes.retake": "重拍被标记的镜头", "keyframes.scores": "此镜头的各条",
    "keyframes.take_number": "第几条", "keyframes.keep_take": "保留这一条",
    "keyframes.ranks_note": "评分按与角色设定图和提示词的相似度（CLIP/SigLIP）给各条排序，从不否决任何一条："
                            "保留你喜欢的那条即可。",
    "keyframes.sheet": "角色设定图", "keyframes.gallery": "关键帧", "keyframes.shot": "镜头 {number}",
    "keyframes.flagged": "偏离角色", "keyframes.col.kept": "已保留", "keyframes.col.character": "像角色",
    "keyframes.col.prompt": "像提示词", "keyframes.col.rank": "排序分",
    "keyframes.status.sheet": "角色设定图：新绘制 {made} 张，缓存 {cached} 张。",
    "keyframes.status.drawn": "关键帧：新绘制 {drawn} 张，缓存 {cached} 张，模型 {model}，用时 {seconds:.0f} 秒。",
    "keyframes.status.pick_character": "请先选择角色和图片。",
    "keyframes.status.reference": "已保存 {name} 的参考图。",
    "keyframes.status.pick_shot": "请先选择一个镜头。",
    "keyframes.status.takes": "已为 {count} 条评分；保留第 {chosen} 条。",
    "keyframes.status.flagged": "镜头 {shots} 偏离了角色：请重拍。",
    "keyframes.status.none_flagged": "没有镜头偏离角色。",
    "keyframes.status.retaken": "已重拍镜头 {shots}；其中 {better} 个得到了更好的一条。",
    **{f"choice.image_backend.{k}": v for k, v in {
        "auto": "自动", "flux2": "FLUX.2-klein（Apache-2.0）", "sd-turbo": "SD-Turbo（CPU，非商用权重）",
        "flux": "FLUX.1", "diffusers": "任意 diffusers 模型"}.items()},
    # -- storyboard cards (drag) --
    "board.strip": "分镜：点击卡片编辑该镜头，把卡片拖到另一张卡片上即可移到那里",
    "board.strip_empty": "还没有镜头：请先在创意页生成分镜。",
    "board.ends_on_next": "结尾接到下一个镜头的画面（无缝衔接）",
    "board.ends_on_next_info": "需要 LTX 或 Wan 的首尾帧模型；用于由图片生成、且后面还有镜头的镜头。",
    "keyframes.kind": "类型", "keyframes.kind_info": "人物的图片必须露出脸。",
    "keyframes.status.kind": "{name}：{kind}，已保存。",
    **{f"choice.entry_kind.{k}": v for k, v in {
        "unsaid": "未说明", "person": "人物", "creature": "生物（动物、怪物）", "object": "物品",
        "place": "地点"}.items()},
    "choice.image_backend.qwen": "Qwen-Image（Apache-2.0，大显存 GPU）",
}

I18N = gr.I18n(en=EN, **{"zh-CN": ZH, "zh": ZH})


def t(key: str) -> gr.i18n.I18nData:
    if key not in EN:
        raise KeyError(f"no English text for the UI key {key!r}")
    return I18N(key)


def choices(group: str, values) -> list[tuple[gr.i18n.I18nData, str]]:
    """Dropdown choices shown in the browser's language; the values (what handlers and the API get) stay as is."""
    return [(t(f"choice.{group}.{value}"), value) for value in values]


def words_for(request: gr.Request | None) -> dict[str, str]:
    """The table for texts made on the server (statuses with numbers in them), chosen like the browser's
    language: Accept-Language starting with zh gives Chinese; anything else, or no request (the API), English."""
    headers = getattr(request, "headers", None) or {}
    language = (headers.get("accept-language") or "").strip().lower()
    return ZH if language.startswith("zh") else EN


def words_of_this_event() -> dict[str, str]:
    """The table of the browser whose event is being handled, for code that is not handed the request (the one
    place errors become ``gr.Error``): Gradio keeps the event's request in a context variable while its handler
    runs. Outside an event, English."""
    from gradio.context import LocalContext

    return words_for(LocalContext.request.get(None))


def say(words: dict[str, str], key: str, **values) -> str:
    """One server-made text in the chosen language, with its numbers filled in."""
    return (words.get(key) or EN[key]).format(**values)
