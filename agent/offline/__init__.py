"""The offline director: plain English in, typed edits out, by rules.

No language model, no network, no randomness: patterns and word tables turn direction into
the same typed edits the LLM director returns. It is what everyone without a model meets,
so it reads INTENT FIRST: each sentence (or clause) is first decided to be a command, thanks
or a question, an introduction, exposition, a change of looks, or direction for a shot, and
only then are sizes, moves and names read from it. Never harm: a command-like sentence
(delete, move, swap, make, change, lock, should...) never becomes a new shot; what it is not
sure of it asks in one short question with choices, and what it skipped it quotes.

How a message is read (turn.Turn, one per message):
  paragraphs   blank lines, single lines and list items ("- ...", "1) ...") are paragraphs
  sentences    split at . ! ? ; and before "then" / a new shot size / a joined command
  commands     the ordered table commands.COMMANDS (undo/redo, export, title, shots named by
               what they show, compare, frame references, takes, lock, move/swap, delete,
               render, retake, looks, style, update, and a catch-all for command verbs)
  talk         thanks, questions ("what should the next shot be?"), other languages: no edit
  direction    shots.ShotMixin._direction: introductions first (introductions.py), then
               exposition ("my uncle kept a lighthouse": the place and person, no shot),
               then one shot per paragraph unless a sentence clearly starts another (then,
               cut to, next, later, a list item, or a second shot size)

Modules:
  words, verbs   word tables (people, clothes, places, numbers; action and state verbs)
  text           quotes (double, single, curly, "Name: line"), splitting, tidying
  camera         size, angle, lens, duration ("a few seconds"), light, time of day; camera
                 movements come from the one table in tools/vocabulary.py (MOVES, find_move)
  cast           names, descriptions ("the girl", "his daughter"), pronouns; asks when two fit
  introductions  "He's called Old Tom: ...", "Three people: A, ..., B, ...", "a crow and an
                 old farmer called Jonas argue", role names ("Nurse B", "the Captain")
  looks          "Tom should have a red scarf", "Lena's coat should be green, not yellow"
  places         slug lines, known places, "at the X"; the place a paragraph is set in
  shots          a direction sentence becomes a shot or joins the one being described
  refs           shots by number, position ("the last two") or content ("the crow shot")
  by_content     commands on shots named by what they show; "which shot?" and its answer
  commands       the command handlers and their order
  talk           thanks, questions and other languages
  director       the facade: attachments, pending questions, unknown @handles

The README's "The offline director" section has examples by category and the measured
accuracy (bench/director.py on tests/director_set/ and the blind tests/director_holdout/).
"""

from storyreel.agent.offline.director import HELP, OFFLINE_NOTICE, OfflineDirector

__all__ = ["HELP", "OFFLINE_NOTICE", "OfflineDirector"]
