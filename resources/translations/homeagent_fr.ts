<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="fr_FR">
<context>
    <name>AudioSettingsPage</name>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="404" />
        <source>“{lost}” unplugged: no other sound device is available.</source>
        <translation>« {lost} » débranché : aucun autre périphérique audio n'est disponible.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="120" />
        <source>Audio settings</source>
        <translation>Réglages audio</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="128" />
        <source>&amp;Microphone</source>
        <translation>&amp;Microphone</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="129" />
        <source>&amp;Headset</source>
        <translation>&amp;Casque</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="130" />
        <source>&amp;Ringer</source>
        <translation>&amp;Sonnerie</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="166" />
        <source>Microphone level</source>
        <translation>Niveau du microphone</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="167" />
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="149" />
        <source>&amp;Test</source>
        <translation>&amp;Tester</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="151" />
        <source>Play a short tone in the headset</source>
        <translation>Jouer un son court dans le casque</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="174" />
        <source>Ringer volume</source>
        <translation>Volume de la sonnerie</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="182" />
        <source>Ringer &amp;volume</source>
        <translation>&amp;Volume de la sonnerie</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="187" />
        <source>Your choices are remembered, even when a device is unplugged.</source>
        <translation>Vos choix sont mémorisés, même quand un périphérique est débranché.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="223" />
        <source>Unplugged: now using {name}</source>
        <translation>Débranché : remplacé pour l'instant par {name}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="225" />
        <source>Unplugged: no other device available</source>
        <translation>Débranché : aucun autre périphérique disponible</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="100" />
        <source>System default device ({name})</source>
        <translation>Périphérique par défaut du système ({name})</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="102" />
        <source>System default device</source>
        <translation>Périphérique par défaut du système</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="104" />
        <source>{name} (unplugged)</source>
        <translation>{name} (débranché)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="393" />
        <source>Microphone “{lost}” unplugged: now using “{now}”.</source>
        <translation>Microphone « {lost} » débranché : le micro utilisé est maintenant « {now} ».</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="396" />
        <source>Headset “{lost}” unplugged: you now hear calls on “{now}”.</source>
        <translation>Casque « {lost} » débranché : vous entendez maintenant les appels sur « {now} ».</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="399" />
        <source>Ringer “{lost}” unplugged: calls now ring on “{now}”.</source>
        <translation>Sonnerie « {lost} » débranchée : les appels sonnent maintenant sur « {now} ».</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/audio_page.py" line="379" />
        <source>OK</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>Backend</name>
    <message>
        <location filename="../../homeagent/ui/backend.py" line="97" />
        <source>Team lead</source>
        <translation>Chef d'équipe</translation>
    </message>
</context>
<context>
    <name>CallControls</name>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="178" />
        <location filename="../../homeagent/ui/call_panel.py" line="203" />
        <source>Hold  (Ctrl+H)</source>
        <translation>Mettre en attente  (Ctrl+H)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="179" />
        <location filename="../../homeagent/ui/call_panel.py" line="205" />
        <source>Mute  (Ctrl+M)</source>
        <translation>Couper le micro  (Ctrl+M)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="180" />
        <source>Keypad</source>
        <translation>Clavier</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="181" />
        <source>Hang up  (Ctrl+Shift+E)</source>
        <translation>Raccrocher  (Ctrl+Maj+E)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="182" />
        <source>Transfer</source>
        <translation>Transfert</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="183" />
        <source>Queue, agent or number</source>
        <translation>File, conseiller ou numéro</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="184" />
        <source>Transfer now</source>
        <translation>Transférer</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="185" />
        <source>Consult first</source>
        <translation>Consulter d'abord</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="186" />
        <source>Complete transfer</source>
        <translation>Finaliser le transfert</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="187" />
        <location filename="../../homeagent/ui/call_panel.py" line="210" />
        <source>Ask for help</source>
        <translation>Demande d'aide</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="197" />
        <source>On hold</source>
        <translation>En attente</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="199" />
        <source>In conversation</source>
        <translation>En conversation</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="201" />
        <source>Calling…</source>
        <translation>Appel en cours…</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="203" />
        <source>Resume  (Ctrl+H)</source>
        <translation>Reprendre  (Ctrl+H)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="205" />
        <source>Unmute  (Ctrl+M)</source>
        <translation>Rétablir le micro  (Ctrl+M)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="210" />
        <source>Help requested</source>
        <translation>Aide demandée</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="216" />
        <source>Consulting {number}…</source>
        <translation>Consultation de {number}…</translation>
    </message>
</context>
<context>
    <name>ContactCard</name>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="56" />
        <source>Recent calls</source>
        <translation>Appels récents</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="66" />
        <source>Create contact</source>
        <translation>Créer le contact</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="70" />
        <source>First name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="71" />
        <source>Last name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="72" />
        <source>Company</source>
        <translation>Société</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="100" />
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="105" />
        <source>Account {ref}</source>
        <translation>Compte {ref}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="111" />
        <source>Last note: {note}</source>
        <translation>Dernière note : {note}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="114" />
        <source>Caller</source>
        <translation>Appelant</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="115" />
        <source>Unknown caller</source>
        <translation>Appelant inconnu</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/contact_card.py" line="119" />
        <source>Queue: {queue}</source>
        <translation>File : {queue}</translation>
    </message>
</context>
<context>
    <name>ContactSearch</name>
    <message>
        <location filename="../../homeagent/ui/search_box.py" line="34" />
        <source>Search a name, a company, a number…  (Ctrl+F)</source>
        <translation>Rechercher un nom, une société, un numéro…  (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/search_box.py" line="35" />
        <source>Search contacts</source>
        <translation>Rechercher un contact</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/search_box.py" line="42" />
        <source>Call</source>
        <translation>Appeler</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/search_box.py" line="66" />
        <source>{count} contacts</source>
        <translation>{count} contact(s)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/search_box.py" line="68" />
        <source>Type a name, a company or a number.</source>
        <translation>Tapez un nom, une société ou un numéro.</translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <location filename="../../homeagent/ui/controller.py" line="136" />
        <source>Callback at {time}</source>
        <translation>Rappel à {time}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/controller.py" line="157" />
        <source>Urgent message</source>
        <translation>Message urgent</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/controller.py" line="173" />
        <source>Incoming call</source>
        <translation>Appel entrant</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="103" />
        <source>Sign in to {org}</source>
        <translation>Connexion à {org}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="113" />
        <source>Sign in</source>
        <translation>Se connecter</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="117" />
        <source>User name</source>
        <translation>Nom d'utilisateur</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="118" />
        <source>Password</source>
        <translation>Mot de passe</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="120" />
        <source>Your password is not stored; this computer keeps a device key.</source>
        <translation>Votre mot de passe n'est pas conservé ; cet ordinateur garde une clé d'appareil.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="132" />
        <source>Enter your user name and password.</source>
        <translation>Saisissez votre nom d'utilisateur et votre mot de passe.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="136" />
        <source>Signing in…</source>
        <translation>Connexion…</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="146" />
        <source>Sign-in failed: {why}</source>
        <translation>Échec de la connexion : {why}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="142" />
        <source>Your organisation disconnected this computer and erased its local data. Sign in again to continue.</source>
        <translation>Votre organisation a déconnecté cet ordinateur et effacé ses données locales. Reconnectez-vous pour continuer.</translation>
    </message>
</context>
<context>
    <name>HistoryTab</name>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="96" />
        <source>Call back</source>
        <translation>Rappeler</translation>
    </message>
</context>
<context>
    <name>IdleView</name>
    <message>
        <location filename="../../homeagent/ui/idle_view.py" line="27" />
        <source>Today's callbacks</source>
        <translation>Rappels du jour</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/idle_view.py" line="29" />
        <source>No callback due today.</source>
        <translation>Aucun rappel prévu aujourd'hui.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/idle_view.py" line="31" />
        <source>Call back</source>
        <translation>Rappeler</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/idle_view.py" line="33" />
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/idle_view.py" line="70" />
        <source>Last wrap-up: {state}</source>
        <translation>Dernier post-appel : {state}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/desk/idle_view.py" line="87" />
        <source>Missed call from {caller}: nobody answered in time, so you are Not ready.</source>
        <translation>Appel manqué de {caller} : sans réponse à temps, vous êtes en Non prêt.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/desk/idle_view.py" line="90" />
        <source>Missed call from {caller}: the caller hung up.</source>
        <translation>Appel manqué de {caller} : l'appelant a raccroché.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/desk/idle_view.py" line="99" />
        <source>Call back {caller}</source>
        <translation>Rappeler {caller}</translation>
    </message>
</context>
<context>
    <name>InboxTab</name>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="41" />
        <source>Mark as read</source>
        <translation>Marquer comme lu</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="91" />
        <source>Key {key}</source>
        <translation>Touche {key}</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="20" />
        <source>Offline</source>
        <translation>Hors ligne</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="21" />
        <source>Available</source>
        <translation>Disponible</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="22" />
        <source>Break</source>
        <translation>En pause</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="23" />
        <source>Not ready</source>
        <translation>Non prêt</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="24" />
        <source>Ringing</source>
        <translation>Sonnerie</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="25" />
        <source>On call</source>
        <translation>En appel</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="26" />
        <source>Wrap-up</source>
        <translation>Post-appel</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="34" />
        <source>Break — {reason}</source>
        <translation>Pause — {reason}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="38" />
        <source>{state} — {reason}</source>
        <translation>{state} — {reason}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="47" />
        <source>Line off</source>
        <translation>Ligne coupée</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="48" />
        <source>Line connecting…</source>
        <translation>Connexion de la ligne…</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="49" />
        <source>Line ready</source>
        <translation>Ligne prête</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="50" />
        <source>Line down</source>
        <translation>Ligne hors service</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="57" />
        <source>Server online</source>
        <translation>Serveur en ligne</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="58" />
        <source>Reconnecting…</source>
        <translation>Reconnexion…</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="59" />
        <source>Offline mode</source>
        <translation>Mode hors ligne</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="66" />
        <source>Quality: —</source>
        <translation>Qualité : —</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="67" />
        <source>Quality: good</source>
        <translation>Qualité : bonne</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="68" />
        <source>Quality: fair</source>
        <translation>Qualité : moyenne</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="69" />
        <source>Quality: poor</source>
        <translation>Qualité : mauvaise</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="78" />
        <source>Saving…</source>
        <translation>Enregistrement…</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="79" />
        <source>Saved</source>
        <translation>Enregistré</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="80" />
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="81" />
        <source>Not saved — try again</source>
        <translation>Non enregistré — réessayez</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="89" />
        <source>Transfer failed: the call is still yours.</source>
        <translation>Transfert échoué : l'appel reste avec vous.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="92" />
        <source>Call transferred.</source>
        <translation>Appel transféré.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="93" />
        <source>Help request sent to your team lead.</source>
        <translation>Demande d'aide envoyée à votre chef d'équipe.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="96" />
        <source>Choose a disposition to save.</source>
        <translation>Choisissez une qualification pour enregistrer.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="99" />
        <source>The callback time is already past.</source>
        <translation>L'heure de rappel est déjà passée.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="102" />
        <source>Save the wrap-up first.</source>
        <translation>Enregistrez d'abord le post-appel.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="103" />
        <source>The phone line stopped; restart the app.</source>
        <translation>La ligne téléphonique s'est arrêtée ; redémarrez l'application.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/labels.py" line="106" />
        <source>Missed call.</source>
        <translation>Appel manqué.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="154" />
        <location filename="../../homeagent/ui/main_window.py" line="275" />
        <source>Answer</source>
        <translation>Décrocher</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="155" />
        <source>Hang up</source>
        <translation>Raccrocher</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="156" />
        <source>Hold / resume</source>
        <translation>Mettre en attente / reprendre</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="157" />
        <source>Mute / unmute</source>
        <translation>Couper / rétablir le micro</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="159" />
        <source>Toggle Available</source>
        <translation>Basculer Disponible</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="173" />
        <source>Choose a presence (break reason)</source>
        <translation>Choisir une présence (motif de pause)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="162" />
        <source>Search contacts</source>
        <translation>Rechercher un contact</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="163" />
        <source>Save the wrap-up</source>
        <translation>Enregistrer le post-appel</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="164" />
        <source>Open the inbox</source>
        <translation>Ouvrir la messagerie</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="165" />
        <source>Keyboard shortcuts</source>
        <translation>Raccourcis clavier</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="180" />
        <source>Decline</source>
        <translation>Refuser</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="180" />
        <source>Tab to Decline, then Space</source>
        <translation>Tab jusqu’à Refuser, puis Espace</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="207" />
        <source>HomeAgent — {state}</source>
        <translation>HomeAgent — {state}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="273" />
        <source>Unknown caller</source>
        <translation>Appelant inconnu</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="275" />
        <source>Incoming call: {who}</source>
        <translation>Appel entrant : {who}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="285" />
        <source>Urgent from {sender}: {body}</source>
        <translation>Urgent de {sender} : {body}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="288" />
        <source>Acknowledge</source>
        <translation>Bien reçu</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/main_window.py" line="187" />
        <source>Audio settings (microphone, headset, ringer)</source>
        <translation>Réglages audio (microphone, casque, sonnerie)</translation>
    </message>
</context>
<context>
    <name>Models</name>
    <message>
        <location filename="../../homeagent/ui/models.py" line="98" />
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/models.py" line="125" />
        <source>! Urgent — </source>
        <translation>! Urgent — </translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/models.py" line="168" />
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/models.py" line="169" />
        <source>Caller</source>
        <translation>Appelant</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/models.py" line="170" />
        <source>Outcome</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/models.py" line="171" />
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/models.py" line="172" />
        <source>Disposition</source>
        <translation>Qualification</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/models.py" line="52" />
        <source>Answered</source>
        <translation>Répondu</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/models.py" line="53" />
        <source>Missed</source>
        <translation>Manqué</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/models.py" line="54" />
        <source>Declined</source>
        <translation>Refusé</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/models.py" line="55" />
        <source>Outgoing</source>
        <translation>Sortant</translation>
    </message>
</context>
<context>
    <name>MyDayTab</name>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="128" />
        <source>Calls handled</source>
        <translation>Appels traités</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="129" />
        <source>Average handle time</source>
        <translation>Durée moyenne de traitement</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="130" />
        <source>Average wrap-up</source>
        <translation>Post-appel moyen</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="131" />
        <source>Breaks</source>
        <translation>Pauses</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="132" />
        <source>Missed calls</source>
        <translation>Appels manqués</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="150" />
        <source>{count} · {time}</source>
        <translation>{count} · {time}</translation>
    </message>
</context>
<context>
    <name>PresenceButton</name>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="37" />
        <source>Presence</source>
        <translation>Présence</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="38" />
        <source>Change your presence (Ctrl+D: toggle Available)</source>
        <translation>Changer de présence (Ctrl+D : basculer Disponible)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="42" />
        <source>Available</source>
        <translation>Disponible</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="44" />
        <location filename="../../homeagent/ui/top_bar.py" line="45" />
        <source>Break</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="52" />
        <source>Offline</source>
        <translation>Hors ligne</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="38" />
        <source>Welcome to HomeAgent</source>
        <translation>Bienvenue dans HomeAgent</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="42" />
        <source>Import the connection profile your organisation sent you (a .json file): choose it, or drop it on this window.</source>
        <translation>Importez le profil de connexion envoyé par votre organisation (un fichier .json) : choisissez-le, ou déposez-le sur cette fenêtre.</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="48" />
        <source>Choose the profile file…</source>
        <translation>Choisir le fichier de profil…</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="67" />
        <source>This profile was refused: {why}</source>
        <translation>Ce profil a été refusé : {why}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="74" />
        <source>Connection profile</source>
        <translation>Profil de connexion</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/first_run.py" line="74" />
        <source>Profiles (*.json)</source>
        <translation>Profils (*.json)</translation>
    </message>
</context>
<context>
    <name>RingingPanel</name>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="58" />
        <source>Incoming call</source>
        <translation>Appel entrant</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="59" />
        <source>Answer  (Ctrl+Enter)</source>
        <translation>Décrocher  (Ctrl+Entrée)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="60" />
        <source>Decline</source>
        <translation>Refuser</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="69" />
        <source>Queue: {queue}</source>
        <translation>File : {queue}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/call_panel.py" line="72" />
        <source>Answers automatically in {s} s</source>
        <translation>Décroché automatique dans {s} s</translation>
    </message>
</context>
<context>
    <name>ShortcutSheet</name>
    <message>
        <location filename="../../homeagent/ui/shortcut_sheet.py" line="22" />
        <source>Keyboard shortcuts</source>
        <translation>Raccourcis clavier</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/shortcut_sheet.py" line="24" />
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/shortcut_sheet.py" line="24" />
        <source>Keys</source>
        <translation>Touches</translation>
    </message>
</context>
<context>
    <name>SidePanel</name>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="173" />
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="174" />
        <source>History</source>
        <translation>Historique</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="175" />
        <location filename="../../homeagent/ui/side_panel.py" line="182" />
        <source>Inbox</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="176" />
        <source>My day</source>
        <translation>Ma journée</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/side_panel.py" line="182" />
        <source>Inbox ({count})</source>
        <translation>Messages ({count})</translation>
    </message>
</context>
<context>
    <name>TopBar</name>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="158" />
        <source>✉ Messages ({count})</source>
        <translation>✉ Messages ({count})</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="160" />
        <source>✉ Messages</source>
        <translation>✉ Messages</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="161" />
        <source>{count} unread messages</source>
        <translation>{count} message(s) non lu(s)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="128" />
        <source>♪ Audio</source>
        <translation>♪ Audio</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="129" />
        <source>Microphone, headset and ringer (Ctrl+Shift+A)</source>
        <translation>Microphone, casque et sonnerie (Ctrl+Maj+A)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/top_bar.py" line="130" />
        <source>Audio settings</source>
        <translation>Réglages audio</translation>
    </message>
</context>
<context>
    <name>WrapUpForm</name>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="72" />
        <source>&amp;Disposition *</source>
        <translation>&amp;Qualification *</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="73" />
        <source>&amp;Notes</source>
        <translation>&amp;Notes</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="77" />
        <source>Call&amp;back</source>
        <translation>&amp;Rappel</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="91" />
        <source>Wrap-up</source>
        <translation>Post-appel</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="92" />
        <source>Call back on</source>
        <translation>Rappeler le</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="93" />
        <source>Save  (Ctrl+S)</source>
        <translation>Enregistrer  (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="94" />
        <source>Ready for calls  (Ctrl+D)</source>
        <translation>Prêt pour un appel  (Ctrl+D)</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="95" />
        <source>What was the call about? What was done?</source>
        <translation>Motif de l'appel ? Qu'avez-vous fait ?</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="123" />
        <source>— Choose —</source>
        <translation>— Choisir —</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="143" />
        <source>Over by {time}</source>
        <translation>Dépassé de {time}</translation>
    </message>
    <message>
        <location filename="../../homeagent/ui/wrapup_form.py" line="145" />
        <source>{time} left</source>
        <translation>Reste {time}</translation>
    </message>
</context>
</TS>